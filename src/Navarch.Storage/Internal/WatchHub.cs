using System.Runtime.CompilerServices;

namespace Navarch.Storage.Internal;

/// <summary>
/// Fans committed changes out to live watchers and stitches history replay to the live stream.
/// </summary>
/// <remarks>
/// The owning store must call <see cref="Publish(WatchEvent)"/> once per change, in revision order, only after
/// the change is readable through its <see cref="HistoryReader"/>. Given that, a watcher that subscribes when
/// the last published revision is R finds everything up to R in history and everything after R in its buffer,
/// so the hand-over has neither a gap nor a repeat. A watcher whose buffer fills up is not allowed to grow
/// memory: its subscription is ended and it catches up from history again (as etcd moves slow watchers to its
/// "unsynced" group); if history has been compacted past it meanwhile, it ends with <see cref="CompactedException"/>.
/// </remarks>
internal sealed class WatchHub(long lastPublishedRevision, int bufferCapacity = WatchHub.DefaultBufferCapacity)
{
    public const int DefaultBufferCapacity = 1024;

    private const int HistoryPageSize = 512;

    private readonly Lock _gate = new();
    private readonly List<WatchSubscription> _subscriptions = [];
    private long _lastPublished = lastPublishedRevision;
    private bool _closed;

    public void Publish(WatchEvent watchEvent)
    {
        lock (_gate)
        {
            Deliver(watchEvent);
            _lastPublished = watchEvent.Revision;
        }
    }

    public void Publish(IReadOnlyList<WatchEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            for (var i = 0; i < events.Count; i++)
            {
                Deliver(events[i]);
            }

            _lastPublished = events[^1].Revision;
        }
    }

    /// <summary>Ends every subscription; their watches throw <see cref="ObjectDisposedException"/>.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var subscription in _subscriptions)
            {
                subscription.Close();
            }

            _subscriptions.Clear();
        }
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        string prefix,
        long afterRevision,
        HistoryReader history,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);

        // Every matching change with a revision <= delivered has been yielded (or precedes the watch).
        var delivered = afterRevision;
        while (true)
        {
            // Catch up from history before subscribing, so a watcher far behind does not overflow its
            // buffer while it replays.
            while (true)
            {
                var page = await history(prefix, delivered, long.MaxValue, HistoryPageSize, cancellationToken).ConfigureAwait(false);
                foreach (var watchEvent in page)
                {
                    yield return watchEvent;
                    delivered = watchEvent.Revision;
                }

                if (page.Count < HistoryPageSize)
                {
                    break;
                }
            }

            var subscription = Subscribe(prefix, out var subscribedAt);
            try
            {
                // Whatever committed between the catch-up and the subscription is in history up to subscribedAt.
                var cursor = delivered;
                while (cursor < subscribedAt)
                {
                    var page = await history(prefix, cursor, subscribedAt, HistoryPageSize, cancellationToken).ConfigureAwait(false);
                    foreach (var watchEvent in page)
                    {
                        if (watchEvent.Revision > delivered)
                        {
                            yield return watchEvent;
                            delivered = watchEvent.Revision;
                        }
                    }

                    if (page.Count < HistoryPageSize)
                    {
                        break;
                    }

                    cursor = page[^1].Revision;
                }

                delivered = Math.Max(delivered, subscribedAt);

                var reader = subscription.Reader;
                while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var watchEvent))
                    {
                        if (watchEvent.Revision > delivered)
                        {
                            yield return watchEvent;
                            delivered = watchEvent.Revision;
                        }
                    }
                }

                if (!subscription.Overflowed)
                {
                    throw new ObjectDisposedException("The store was closed while watching.");
                }
            }
            finally
            {
                Unsubscribe(subscription);
            }
        }
    }

    private WatchSubscription Subscribe(string prefix, out long lastPublished)
    {
        var subscription = new WatchSubscription(prefix, bufferCapacity);
        lock (_gate)
        {
            if (_closed)
            {
                throw new ObjectDisposedException("The store is closed.");
            }

            _subscriptions.Add(subscription);
            lastPublished = _lastPublished;
        }

        return subscription;
    }

    private void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private void Deliver(WatchEvent watchEvent)
    {
        var key = watchEvent.Kv.Key;
        for (var i = _subscriptions.Count - 1; i >= 0; i--)
        {
            var subscription = _subscriptions[i];
            if (key.StartsWith(subscription.Prefix, StringComparison.Ordinal) && !subscription.TryWrite(watchEvent))
            {
                _subscriptions.RemoveAt(i);
            }
        }
    }
}
