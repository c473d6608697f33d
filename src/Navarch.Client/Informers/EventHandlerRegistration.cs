namespace Navarch.Client.Informers;

/// <summary>
/// One handler added to an informer, as client-go's <c>ResourceEventHandlerRegistration</c>: tells whether this handler
/// has been given everything of the informer's initial state, and removes the handler when disposed.
/// </summary>
public sealed class EventHandlerRegistration : IDisposable
{
    private readonly Action<EventHandlerRegistration> _remove;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _removed;

    internal EventHandlerRegistration(Action<EventHandlerRegistration> remove) => _remove = remove;

    /// <summary>True once the handler has been called for every object of the informer's initial list.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>Completes when <see cref="HasSynced"/> becomes true.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    internal void MarkSynced() => _synced.TrySetResult();

    /// <summary>Stops deliveries to this handler; notifications already queued are dropped.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _removed, 1) == 0)
        {
            _remove(this);
        }
    }
}
