namespace Navarch.Controllers.Namespace;

/// <summary>Internal timings of the namespace controller (tests shorten them).</summary>
internal sealed record NamespaceControllerOptions
{
    /// <summary>
    /// How long after seeing a namespace's deletion the controller starts emptying it, Kubernetes'
    /// namespaceDeletionGracePeriod: time for admission caches to learn that the namespace is terminating.
    /// </summary>
    public TimeSpan DeletionDelay { get; init; } = TimeSpan.FromSeconds(5);
}
