namespace Navarch.Client.WorkQueue;

/// <summary>
/// One token bucket shared by all items (an overall rate, not per item), as client-go's <c>BucketRateLimiter</c> over
/// <c>rate.Limiter.Reserve</c>: each <see cref="When"/> takes a token, and when the bucket is empty the delay is the time
/// until that token will have been refilled. Thread-safe.
/// </summary>
public sealed class BucketRateLimiter<T> : IRateLimiter<T>
    where T : notnull
{
    private readonly Lock _lock = new();
    private readonly double _qps;
    private readonly int _burst;
    private readonly TimeProvider _timeProvider;
    private double _tokens;
    private long _lastTimestamp;

    public BucketRateLimiter(double qps, int burst, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(qps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _qps = qps;
        _burst = burst;
        _timeProvider = timeProvider;
        _tokens = burst;
        _lastTimestamp = timeProvider.GetTimestamp();
    }

    public TimeSpan When(T item)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            var elapsed = _timeProvider.GetElapsedTime(_lastTimestamp, now);
            _lastTimestamp = now;
            _tokens = Math.Min(_burst, _tokens + (elapsed.TotalSeconds * _qps));
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _qps);
        }
    }

    /// <summary>The bucket is shared, so there is nothing per item to forget.</summary>
    public void Forget(T item)
    {
    }

    public int NumRequeues(T item) => 0;
}
