namespace Navarch.Client.Informers;

/// <summary>
/// Exponential back-off with jitter as client-go's reflector uses it (800ms doubling to 30s, jitter 1.0, reset after
/// two minutes without a failure), measured and slept through a <see cref="TimeProvider"/>.
/// </summary>
internal sealed class Backoff(TimeProvider time, Random random)
{
    public static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(800);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ResetAfter = TimeSpan.FromMinutes(2);

    private TimeSpan _current = TimeSpan.Zero;
    private long _lastFailure;

    /// <summary>The next delay: twice the last (capped), plus up to as much again in jitter.</summary>
    public TimeSpan Next()
    {
        var now = time.GetTimestamp();
        if (_current == TimeSpan.Zero || time.GetElapsedTime(_lastFailure, now) > ResetAfter)
        {
            _current = Initial;
        }
        else
        {
            _current = TimeSpan.FromTicks(Math.Min(Max.Ticks, _current.Ticks * 2));
        }

        _lastFailure = now;
        return _current + TimeSpan.FromTicks((long)(_current.Ticks * random.NextDouble()));
    }

    /// <summary>Forgets past failures after a success.</summary>
    public void Reset() => _current = TimeSpan.Zero;

    public Task WaitAsync(CancellationToken cancellationToken) => Task.Delay(Next(), time, cancellationToken);
}
