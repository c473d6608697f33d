using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Navarch.Client.Informers;

/// <summary>
/// One handler's own queue and delivery loop, as client-go's <c>processorListener</c>: unbounded so the informer never
/// waits for a slow handler, and drained by one task so the handler sees events in order, one at a time.
/// </summary>
internal sealed class ProcessorListener<T>(IResourceEventHandler<T> handler, EventHandlerRegistration registration, ILogger logger, string resource)
    where T : class
{
    private readonly Channel<Notification<T>> _queue = Channel.CreateUnbounded<Notification<T>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    public EventHandlerRegistration Registration { get; } = registration;

    public void Enqueue(in Notification<T> notification) => _queue.Writer.TryWrite(notification);

    public void Stop() => _queue.Writer.TryComplete();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var n in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                Deliver(n);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The informer stopped.
        }
    }

    private void Deliver(in Notification<T> n)
    {
        try
        {
            // The queue stores non-null objects for the kinds that use them; Old is set only for updates.
            switch (n.Kind)
            {
                case NotificationKind.Add:
                    handler.OnAdd(n.New!, n.Flag);
                    break;
                case NotificationKind.Update:
                    handler.OnUpdate(n.Old!, n.New!);
                    break;
                case NotificationKind.Delete:
                    handler.OnDelete(n.New!, n.Flag);
                    break;
                case NotificationKind.Synced:
                    Registration.MarkSynced();
                    break;
            }
        }
        catch (Exception e)
        {
            // As client-go's HandleCrash: one failing call is logged and the handler keeps receiving events.
            InformerLog.HandlerFailed(logger, resource, n.Kind.ToString(), e);
        }
    }
}
