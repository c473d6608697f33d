using System.Globalization;

namespace Navarch.Bench;

/// <summary>Nearest-rank percentiles of one set of latencies in milliseconds.</summary>
internal sealed record LatencySummary(int Count, double P50, double P90, double P99, double Max)
{
    public static LatencySummary Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToList();
        if (sorted.Count == 0)
        {
            return new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        return new LatencySummary(sorted.Count, Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99), sorted[^1]);
    }

    /// <summary>A markdown table row: label, count, p50, p90, p99, max.</summary>
    public string Row(string label) => string.Create(
        CultureInfo.InvariantCulture, $"| {label} | {Count} | {P50:F0} | {P90:F0} | {P99:F0} | {Max:F0} |");

    // The smallest value with at least the quantile of the values at or below it.
    private static double Rank(List<double> sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];
}
