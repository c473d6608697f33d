namespace Navarch.Client.WorkQueue;

/// <summary>
/// A work queue with client-go's <c>workqueue</c> semantics (the plain, delaying and rate-limiting queues in one type):
/// <list type="bullet">
/// <item>items are handed out in FIFO order, and an item added again while it waits collapses into the waiting one;</item>
/// <item>an item is never handed to two workers at once: one added while it is being processed (between
/// <see cref="GetAsync"/> and <see cref="Done"/>) is queued again only when <see cref="Done"/> is called;</item>
/// <item><see cref="AddAfter"/> and <see cref="AddRateLimited"/> add later, from a timer heap on the injected
/// <see cref="TimeProvider"/>; a later delayed add of an item already waiting with an earlier time changes nothing.</item>
/// </list>
/// Thread-safe.
/// </summary>
public sealed class RateLimitingQueue<T> : IDisposable
    where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly LinkedList<TaskCompletionSource<(T Item, bool Shutdown)>> _waiters = new();
    private readonly DelayedItems<T> _delayed;
    private readonly IRateLimiter<T> _rateLimiter;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _shuttingDown;
    private long _adds;
    private long _retries;

    /// <summary>A queue with <see cref="RateLimiters.DefaultControllerRateLimiter{T}"/>.</summary>
    public RateLimitingQueue(TimeProvider timeProvider, string? name = null)
        : this(RateLimiters.DefaultControllerRateLimiter<T>(timeProvider), timeProvider, name)
    {
    }

    public RateLimitingQueue(IRateLimiter<T> rateLimiter, TimeProvider timeProvider, string? name = null)
    {
        _rateLimiter = rateLimiter;
        _delayed = new DelayedItems<T>(timeProvider, _lock, Add);
        Name = name ?? string.Empty;
    }

    /// <summary>The queue's name, for metrics and logs.</summary>
    public string Name { get; }

    /// <summary>How many items wait to be handed out (the depth metric); excludes delayed and in-flight items.</summary>
    public int Len
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>How many adds were accepted (not collapsed into a waiting item) since the queue was made.</summary>
    public long AddsCount => Interlocked.Read(ref _adds);

    /// <summary>How many rate-limited re-adds were made since the queue was made.</summary>
    public long RetriesCount => Interlocked.Read(ref _retries);

    /// <summary>How many items wait for their delay to pass.</summary>
    public int DelayedCount
    {
        get
        {
            lock (_lock)
            {
                return _delayed.Count;
            }
        }
    }

    public bool ShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Marks the item as needing processing. Ignored after <see cref="ShutDown"/>.</summary>
    public void Add(T item)
    {
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(item))
            {
                return;
            }

            _adds++;
            if (_processing.Contains(item))
            {
                // Done will queue it again; handing it out now would let two workers process it at once.
                return;
            }

            Enqueue(item);
        }
    }

    /// <summary>Adds the item once <paramref name="delay"/> has passed (at once when it is not positive).</summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }

        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            _delayed.Schedule(item, delay);
        }
    }

    /// <summary>Adds the item after the delay the rate limiter gives it (one more failure for the item).</summary>
    public void AddRateLimited(T item)
    {
        Interlocked.Increment(ref _retries);
        AddAfter(item, _rateLimiter.When(item));
    }

    /// <summary>Stops rate-limit tracking of the item (call it when the item was processed successfully).</summary>
    public void Forget(T item) => _rateLimiter.Forget(item);

    /// <summary>How many times the item has been rate-limited since it was last forgotten.</summary>
    public int NumRequeues(T item) => _rateLimiter.NumRequeues(item);

    /// <summary>
    /// Waits for the next item. The caller must call <see cref="Done"/> with it when finished. Returns
    /// <c>Shutdown = true</c> (and no item) once the queue is shut down and empty.
    /// </summary>
    public ValueTask<(T Item, bool Shutdown)> GetAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<(T Item, bool Shutdown)> waiter;
        LinkedListNode<TaskCompletionSource<(T Item, bool Shutdown)>> node;
        lock (_lock)
        {
            if (_queue.Count > 0)
            {
                return ValueTask.FromResult((TakeLocked(), false));
            }

            if (_shuttingDown)
            {
                return ValueTask.FromResult<(T, bool)>((default!, true)); // no item to give; callers check Shutdown first
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = new TaskCompletionSource<(T Item, bool Shutdown)>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }

        return WaitAsync(waiter, node, cancellationToken);
    }

    /// <summary>Marks the item as processed; if it was added again meanwhile, it is queued again now.</summary>
    public void Done(T item)
    {
        lock (_lock)
        {
            if (!_processing.Remove(item))
            {
                return;
            }

            if (_dirty.Contains(item))
            {
                Enqueue(item);
            }

            if (_shuttingDown && _processing.Count == 0)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Stops accepting items and wakes every waiting <see cref="GetAsync"/>. Items already queued are still handed
    /// out, as client-go's queue does; delayed items are dropped.
    /// </summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            _shuttingDown = true;
            _delayed.Clear();

            // Waiters exist only while the queue is empty, so each of them learns that the queue is finished.
            foreach (var waiter in _waiters)
            {
                waiter.TrySetResult((default!, true)); // no item to give; callers check Shutdown first
            }

            _waiters.Clear();
            if (_processing.Count == 0)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>Shuts down and waits until every item handed out so far has been marked <see cref="Done"/>.</summary>
    public Task ShutDownWithDrainAsync(CancellationToken cancellationToken = default)
    {
        ShutDown();
        return _drained.Task.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        ShutDown();
        lock (_lock)
        {
            _delayed.Dispose();
        }
    }

    private void Enqueue(T item)
    {
        if (_waiters.First is { } first)
        {
            // Hand the item straight to the longest waiter. A waiter is removed from the list under the lock before it
            // is cancelled, so one still in the list always accepts it.
            _waiters.RemoveFirst();
            _dirty.Remove(item);
            _processing.Add(item);
            first.Value.TrySetResult((item, false));
            return;
        }

        _queue.Enqueue(item);
    }

    private T TakeLocked()
    {
        var item = _queue.Dequeue();
        _dirty.Remove(item);
        _processing.Add(item);
        return item;
    }

    private async ValueTask<(T Item, bool Shutdown)> WaitAsync(
        TaskCompletionSource<(T Item, bool Shutdown)> waiter,
        LinkedListNode<TaskCompletionSource<(T Item, bool Shutdown)>> node,
        CancellationToken cancellationToken)
    {
        await using var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    waiter.TrySetCanceled(cancellationToken);
                }
            }
        });
        return await waiter.Task.ConfigureAwait(false);
    }
}
