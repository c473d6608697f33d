namespace Navarch.Client;

/// <summary>
/// A token bucket in the style of golang.org/x/time/rate as client-go uses it: a caller takes a token now or
/// reserves one in the future (the balance may go negative) and waits until its reservation matures, so waiters
/// are served in order and the long-run rate never exceeds the QPS.
/// </summary>
internal sealed class TokenBucket
{
    private readonly Lock _lock = new();
    private readonly double _qps;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    public TokenBucket(ClientRateLimit limit, TimeProvider time)
    {
        limit.Validate();
        _qps = limit.Qps;
        _burst = limit.Burst;
        _time = time;
        _tokens = _burst;
        _last = time.GetTimestamp();
    }

    /// <summary>Takes one token, waiting (asynchronously) until it is available.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var delay = Reserve();
        return delay <= TimeSpan.Zero ? ValueTask.CompletedTask : WaitSlowAsync(delay, cancellationToken);
    }

    private async ValueTask WaitSlowAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // As rate.Reservation.Cancel does: a caller that gives up hands its future token back.
            lock (_lock)
            {
                _tokens = Math.Min(_burst, _tokens + 1);
            }

            throw;
        }
    }

    /// <summary>Takes a token and returns how long the caller must wait for it (zero when it was there already).</summary>
    internal TimeSpan Reserve()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_last, now).TotalSeconds;
            _last = now;
            _tokens = Math.Min(_burst, _tokens + (elapsed * _qps));
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _qps);
        }
    }
}
