namespace Navarch.Controllers.Framework;

/// <summary>
/// One reconcile loop of the controller manager. Its constructor registers informers and handlers on the
/// shared factory (before the factory starts); <see cref="RunAsync"/> runs its workers until cancelled, after
/// the caches have synced. <see cref="IDisposable.Dispose"/> removes its handlers (a new leadership term builds
/// new controllers on the same informers).
/// </summary>
public interface IController : IDisposable
{
    /// <summary>The name used by <c>--controllers</c> and in logs, as kube-controller-manager names it (e.g. "replicaset").</summary>
    string Name { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
