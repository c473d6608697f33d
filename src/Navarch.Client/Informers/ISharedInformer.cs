namespace Navarch.Client.Informers;

/// <summary>What a <see cref="SharedInformerFactory"/> needs of an informer, whatever its kind.</summary>
public interface ISharedInformer
{
    /// <summary>The watched model type (<c>V1Pod</c>, ...).</summary>
    Type ObjectType { get; }

    /// <summary>True once the first complete list is in the cache.</summary>
    bool HasSynced { get; }

    /// <summary>Completes when <see cref="HasSynced"/> becomes true.</summary>
    Task WaitForSyncAsync(CancellationToken cancellationToken);

    /// <summary>Lists, watches and delivers events until cancelled; may be called once.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
