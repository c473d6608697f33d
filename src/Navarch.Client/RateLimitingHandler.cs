namespace Navarch.Client;

/// <summary>
/// Applies a <see cref="ClientRateLimit"/> to every request that passes through, as client-go's rest client does:
/// each request takes one token when it starts, so a long-running watch counts once however long it streams.
/// Waiting is asynchronous; no thread is blocked.
/// </summary>
public sealed class RateLimitingHandler : DelegatingHandler
{
    private readonly TokenBucket? _bucket;

    public RateLimitingHandler(ClientRateLimit limit, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(limit);
        ArgumentNullException.ThrowIfNull(time);
        _bucket = limit.IsUnlimited ? null : new TokenBucket(limit, time);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_bucket is not null)
        {
            await _bucket.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
