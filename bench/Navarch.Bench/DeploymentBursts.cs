using System.Diagnostics;
using System.Globalization;

namespace Navarch.Bench;

/// <summary>
/// Where the time of a scale-up goes, read from when each pod was first seen: the replicaset controller creates at most
/// <see cref="BurstSize"/> pods per sync and starts the next sync only once it has seen all of them (expectations), so
/// pods arrive in bursts. For each burst: how long its creates took (first to last pod seen) and the gap before the
/// next burst's first pod (informer lag, the sync's own work, the status update, the queue).
/// </summary>
internal static class DeploymentBursts
{
    /// <summary>The replicaset controller's burstReplicas, as upstream.</summary>
    public const int BurstSize = 500;

    private const int Shown = 3;

    /// <summary>Lines describing the bursts of <paramref name="createdAt"/> (timestamps in the order seen), times from <paramref name="scaled"/>.</summary>
    public static IEnumerable<string> Describe(ReadOnlySpan<long> createdAt, long scaled)
    {
        var seen = createdAt.IndexOf(0L) is var end and >= 0 ? createdAt[..end] : createdAt;
        var lines = new List<string>();
        if (seen.IsEmpty)
        {
            return lines;
        }

        var bursts = (seen.Length + BurstSize - 1) / BurstSize;
        var durations = new double[bursts];
        var gaps = new List<double>(bursts);
        var rows = new List<string>(bursts);
        for (var b = 0; b < bursts; b++)
        {
            var first = seen[b * BurstSize];
            var last = seen[Math.Min(seen.Length, (b + 1) * BurstSize) - 1];
            durations[b] = Seconds(first, last);
            var gap = (b + 1) * BurstSize < seen.Length ? Seconds(last, seen[(b + 1) * BurstSize]) : double.NaN;
            if (!double.IsNaN(gap))
            {
                gaps.Add(gap);
            }

            rows.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"  burst {b + 1,3}: first pod at {Seconds(scaled, first),7:F2} s, creates took {durations[b],6:F2} s, " +
                $"gap to next {(double.IsNaN(gap) ? "-" : gap.ToString("F2", CultureInfo.InvariantCulture)),6} s"));
        }

        var c = CultureInfo.InvariantCulture;
        lines.Add(string.Create(c, $"pods arrived in {bursts} bursts of up to {BurstSize} (the replicaset controller's burstReplicas):"));
        lines.Add(string.Create(c, $"  scale request to first pod seen: {Seconds(scaled, seen[0]):F2} s"));
        lines.Add(string.Create(c, $"  creates per burst: median {Median(durations):F2} s, total {durations.Sum():F1} s"));
        if (gaps.Count > 0)
        {
            lines.Add(string.Create(c, $"  gaps between bursts: median {Median([.. gaps]):F2} s, total {gaps.Sum():F1} s"));
        }

        for (var b = 0; b < rows.Count; b++)
        {
            if (b < Shown || b >= rows.Count - Shown)
            {
                lines.Add(rows[b]);
            }
            else if (b == Shown)
            {
                lines.Add("  ...");
            }
        }

        return lines;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }

    private static double Seconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalSeconds;
}
