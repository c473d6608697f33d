using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Navarch.Api.Metrics;

namespace Navarch.ApiServer.Metrics;

/// <summary>
/// Request counts, latencies and watch counts in the names kube-apiserver exports
/// (<c>apiserver_request_total</c>, <c>apiserver_request_duration_seconds</c>, <c>apiserver_registered_watchers</c>),
/// rendered in the Prometheus text format.
/// </summary>
public sealed class ApiMetrics
{
    private static readonly double[] Buckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

    private readonly ConcurrentDictionary<(string Verb, string Resource, int Code), long> _requests = new();
    private readonly ConcurrentDictionary<(string Verb, string Resource), PrometheusHistogram> _latency = new();
    private readonly ConcurrentDictionary<string, long> _watchers = new();

    public void RequestCompleted(string verb, string resource, int code, TimeSpan elapsed)
    {
        _requests.AddOrUpdate((verb, resource, code), 1, static (_, n) => n + 1);
        if (verb != "watch")
        {
            _latency.GetOrAdd((verb, resource), static _ => new PrometheusHistogram(Buckets)).Observe(elapsed.TotalSeconds);
        }
    }

    public void WatchStarted(string resource) => _watchers.AddOrUpdate(resource, 1, static (_, n) => n + 1);

    public void WatchEnded(string resource) => _watchers.AddOrUpdate(resource, 0, static (_, n) => n - 1);

    public string Render(long storeRevision)
    {
        var text = new StringBuilder();
        text.Append("# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, resource and HTTP response code.\n");
        text.Append("# TYPE apiserver_request_total counter\n");
        foreach (var ((verb, resource, code), count) in _requests.OrderBy(p => p.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"apiserver_request_total{{code=\"{code}\",resource=\"{resource}\",verb=\"{verb.ToUpperInvariant()}\"}} {count}\n");
        }

        text.Append("# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb and resource.\n");
        text.Append("# TYPE apiserver_request_duration_seconds histogram\n");
        foreach (var ((verb, resource), histogram) in _latency.OrderBy(p => p.Key))
        {
            histogram.Render(text, "apiserver_request_duration_seconds", $"verb=\"{verb.ToUpperInvariant()}\",resource=\"{resource}\"");
        }

        text.Append("# HELP apiserver_registered_watchers Number of currently registered watchers for a given resource.\n");
        text.Append("# TYPE apiserver_registered_watchers gauge\n");
        foreach (var (resource, count) in _watchers.OrderBy(p => p.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"apiserver_registered_watchers{{resource=\"{resource}\"}} {count}\n");
        }

        text.Append("# HELP navarch_store_revision The store's current revision.\n");
        text.Append("# TYPE navarch_store_revision gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"navarch_store_revision {storeRevision}\n");
        return text.ToString();
    }
}
