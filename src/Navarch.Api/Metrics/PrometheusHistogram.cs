using System.Globalization;
using System.Text;

namespace Navarch.Api.Metrics;

/// <summary>
/// A lock-free histogram with fixed bucket bounds, rendered in the Prometheus text format the way Kubernetes
/// components export theirs (<c>_bucket{le=...}</c> cumulative counts, <c>_sum</c>, <c>_count</c>).
/// </summary>
public sealed class PrometheusHistogram(double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length];
    private long _count;
    private long _sumMicros;

    /// <summary>Buckets doubling from 1 ms, as kube-scheduler's scheduling latency histograms use (ExponentialBuckets(0.001, 2, 15)).</summary>
    public static double[] ExponentialBuckets(double start, double factor, int count)
    {
        var result = new double[count];
        var value = start;
        for (var i = 0; i < count; i++)
        {
            result[i] = value;
            value *= factor;
        }

        return result;
    }

    public long Count => Volatile.Read(ref _count);

    public void Observe(double seconds)
    {
        for (var i = 0; i < bounds.Length; i++)
        {
            if (seconds <= bounds[i])
            {
                Interlocked.Increment(ref _counts[i]);
            }
        }

        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicros, (long)(seconds * 1_000_000));
    }

    /// <summary>Appends the series of this histogram; <paramref name="labels"/> is empty or <c>a="b",c="d"</c>.</summary>
    public void Render(StringBuilder text, string name, string labels)
    {
        var prefix = labels.Length == 0 ? string.Empty : labels + ",";
        for (var i = 0; i < bounds.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"{bounds[i]}\"}} {Volatile.Read(ref _counts[i])}\n");
        }

        var count = Volatile.Read(ref _count);
        var braces = labels.Length == 0 ? string.Empty : "{" + labels + "}";
        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"+Inf\"}} {count}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_sum{braces} {Volatile.Read(ref _sumMicros) / 1_000_000.0}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_count{braces} {count}\n");
    }
}
