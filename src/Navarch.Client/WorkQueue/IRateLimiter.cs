namespace Navarch.Client.WorkQueue;

/// <summary>Decides how long an item waits before it is retried, as client-go's <c>workqueue.TypedRateLimiter</c>.</summary>
public interface IRateLimiter<T>
    where T : notnull
{
    /// <summary>How long the item should wait before it is processed again; records one more failure for it.</summary>
    TimeSpan When(T item);

    /// <summary>Stops tracking the item: its next failure starts the back-off from the beginning.</summary>
    void Forget(T item);

    /// <summary>How many times the item has been requeued through this limiter since it was last forgotten.</summary>
    int NumRequeues(T item);
}
