using System.Diagnostics;

namespace Navarch.Bench;

/// <summary>
/// Operations done in one benchmark cell with their latency percentiles, and the CPU the server and this process
/// spent meanwhile, as a percentage of one core (so up to 100 × cores).
/// </summary>
internal sealed record LoadResult(int Operations, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99, double ServerCpuPercent, double BenchCpuPercent)
{
    public double OpsPerSecond => Operations / Elapsed.TotalSeconds;

    /// <summary>
    /// Runs <paramref name="operation"/>(client, sequence) in a loop on each of <paramref name="clients"/> concurrent
    /// clients until <paramref name="duration"/> has passed or a client reaches <paramref name="maxPerClient"/> operations.
    /// </summary>
    public static async Task<LoadResult> MeasureAsync(
        int clients, TimeSpan duration, int maxPerClient, Func<TimeSpan> serverCpu, Func<int, int, CancellationToken, Task> operation,
        CancellationToken ct)
    {
        var latencies = new List<long>[clients];
        var tasks = new Task[clients];
        var serverBefore = serverCpu();
        var benchBefore = BenchCpu();
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (var c = 0; c < clients; c++)
        {
            var samples = latencies[c] = new List<long>(4096);
            var client = c;
            tasks[c] = Task.Run(() => RunClientAsync(client, end, maxPerClient, samples, operation, ct), ct);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var serverPercent = 100 * (serverCpu() - serverBefore) / elapsed;
        var benchPercent = 100 * (BenchCpu() - benchBefore) / elapsed;

        var all = new List<long>();
        foreach (var samples in latencies)
        {
            all.AddRange(samples);
        }

        all.Sort();
        return new LoadResult(all.Count, elapsed, Percentile(all, 0.50), Percentile(all, 0.99), serverPercent, benchPercent);
    }

    private static async Task RunClientAsync(
        int client, long end, int maxOperations, List<long> samples, Func<int, int, CancellationToken, Task> operation, CancellationToken ct)
    {
        for (var i = 0; i < maxOperations && Stopwatch.GetTimestamp() < end; i++)
        {
            var before = Stopwatch.GetTimestamp();
            await operation(client, i, ct).ConfigureAwait(false);
            samples.Add(Stopwatch.GetTimestamp() - before);
        }
    }

    private static TimeSpan BenchCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static TimeSpan Percentile(List<long> sorted, double quantile) =>
        sorted.Count == 0
            ? TimeSpan.Zero
            : TimeSpan.FromSeconds((double)sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)] / Stopwatch.Frequency);
}
