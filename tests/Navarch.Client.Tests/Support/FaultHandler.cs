using System.Collections.Concurrent;

namespace Navarch.Client.Tests.Support;

/// <summary>
/// Sits in a client's pipeline to count requests and to cut the client off: while partitioned, open responses
/// (watch streams) are torn down and every new request fails as against an unreachable server, so tests can change
/// the cluster behind a client's back.
/// </summary>
public sealed class FaultHandler : DelegatingHandler
{
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentDictionary<HttpResponseMessage, byte> _open = new();
    private volatile bool _partitioned;

    public IReadOnlyList<string> Requests => [.. _requests];

    public void Partition()
    {
        _partitioned = true;
        foreach (var response in _open.Keys)
        {
            response.Dispose();
        }

        _open.Clear();
    }

    public void Heal() => _partitioned = false;

    public int Count(Func<string, bool> predicate) => _requests.Count(predicate);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_partitioned)
        {
            throw new HttpRequestException("partitioned by the test");
        }

        _requests.Enqueue(request.RequestUri!.PathAndQuery);
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri.Query.Contains("watch=true", StringComparison.Ordinal))
        {
            _open.TryAdd(response, 0);
        }

        // A request in flight when the partition began must not survive it.
        if (_partitioned)
        {
            response.Dispose();
            throw new HttpRequestException("partitioned by the test");
        }

        return response;
    }
}
