namespace Navarch.Client.WorkQueue;

/// <summary>Factories for the rate limiters controllers use by default.</summary>
public static class RateLimiters
{
    /// <summary>
    /// client-go's <c>DefaultControllerRateLimiter</c>: the longer of a per-item exponential back-off (5 ms doubling up to
    /// 1000 s) and an overall token bucket of 10 qps with a burst of 100 (which only matters under a flood of failures).
    /// </summary>
    public static IRateLimiter<T> DefaultControllerRateLimiter<T>(TimeProvider timeProvider)
        where T : notnull =>
        new MaxOfRateLimiter<T>(
            new ItemExponentialFailureRateLimiter<T>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new BucketRateLimiter<T>(10, 100, timeProvider));
}
