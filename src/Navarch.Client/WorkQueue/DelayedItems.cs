namespace Navarch.Client.WorkQueue;

/// <summary>
/// The delaying part of <see cref="RateLimitingQueue{T}"/>: a min-heap of ready times with one timer armed for the
/// earliest, as client-go's <c>delayingType</c>. Guarded by the owning queue's lock.
/// </summary>
internal sealed class DelayedItems<T> : IDisposable
    where T : notnull
{
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock;
    private readonly Action<T> _add;
    private readonly PriorityQueue<T, (DateTimeOffset ReadyAt, long Sequence)> _heap = new();

    // The ready time each waiting item currently has; heap entries that disagree are stale and skipped.
    private readonly Dictionary<T, DateTimeOffset> _readyAt = [];
    private readonly ITimer _timer;
    private long _sequence;
    private DateTimeOffset? _armedFor;

    public DelayedItems(TimeProvider timeProvider, Lock queueLock, Action<T> add)
    {
        _timeProvider = timeProvider;
        _lock = queueLock;
        _add = add;
        _timer = timeProvider.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int Count => _readyAt.Count;

    /// <summary>Schedules the item; as client-go, an item already waiting keeps the earlier of the two times.</summary>
    public void Schedule(T item, TimeSpan delay)
    {
        var readyAt = _timeProvider.GetUtcNow() + delay;
        if (_readyAt.TryGetValue(item, out var existing) && existing <= readyAt)
        {
            return;
        }

        _readyAt[item] = readyAt;
        _heap.Enqueue(item, (readyAt, _sequence++));
        Arm();
    }

    public void Clear()
    {
        _heap.Clear();
        _readyAt.Clear();
        _armedFor = null;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();

    private void Fire()
    {
        lock (_lock)
        {
            _armedFor = null;
            var now = _timeProvider.GetUtcNow();
            while (_heap.TryPeek(out var item, out var priority) && priority.ReadyAt <= now)
            {
                _heap.Dequeue();
                if (_readyAt.TryGetValue(item, out var readyAt) && readyAt == priority.ReadyAt)
                {
                    _readyAt.Remove(item);
                    _add(item);
                }
            }

            Arm();
        }
    }

    private void Arm()
    {
        // Drop stale heads so the timer is armed for a real item.
        while (_heap.TryPeek(out var head, out var priority)
            && (!_readyAt.TryGetValue(head, out var readyAt) || readyAt != priority.ReadyAt))
        {
            _heap.Dequeue();
        }

        if (!_heap.TryPeek(out _, out var next))
        {
            return;
        }

        if (_armedFor is { } armed && armed <= next.ReadyAt)
        {
            return;
        }

        _armedFor = next.ReadyAt;
        var due = next.ReadyAt - _timeProvider.GetUtcNow();
        _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }
}
