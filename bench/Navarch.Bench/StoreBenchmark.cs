using System.Diagnostics;
using System.Globalization;
using Navarch.Storage;
using Navarch.Storage.Etcd;
using Navarch.Storage.Sqlite;

namespace Navarch.Bench;

/// <summary>
/// <c>store</c>: durable creates of distinct keys with 1 KiB values against the SQLite store and a local etcd,
/// both with their data on the same disk, at 1, 16 and 64 concurrent writers for a fixed time per cell.
/// </summary>
internal static class StoreBenchmark
{
    private const int ValueBytes = 1024;
    private const int RatioWriters = 16;
    private static readonly int[] WriterCounts = [1, 16, 64];

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (!TryParseSeconds(args, out var seconds))
        {
            Console.Error.WriteLine("usage: Navarch.Bench store [--seconds N]   (N > 0, default 3)");
            return 2;
        }

        var duration = TimeSpan.FromSeconds(seconds);
        var value = new byte[ValueBytes];
        new Random(42).NextBytes(value);

        var root = Directory.CreateTempSubdirectory("navarch-bench-store-");
        try
        {
            var etcdDir = Directory.CreateDirectory(Path.Combine(root.FullName, "etcd")).FullName;
            var sqliteDir = Directory.CreateDirectory(Path.Combine(root.FullName, "sqlite")).FullName;
            Console.WriteLine($"data under {root.FullName} (both backends on the same disk); {seconds:0.##} s per cell, {ValueBytes} B values");

            await using var etcdProcess = await EtcdProcess.StartAsync(etcdDir, ct).ConfigureAwait(false);
            await using var etcd = await EtcdStore.ConnectAsync([etcdProcess.Endpoint], ct: ct).ConfigureAwait(false);
            await using var sqlite = await SqliteStore.OpenAsync(Path.Combine(sqliteDir, "state.db"), ct: ct).ConfigureAwait(false);
            var backends = new (string Name, IKeyValueStore Store)[] { ("sqlite", sqlite), ("etcd", etcd) };

            // Warm up connections, JIT and the databases' files before anything is measured.
            foreach (var (name, store) in backends)
            {
                await RunCellAsync(store, $"warmup/{name}", RatioWriters, TimeSpan.FromMilliseconds(300), value, ct).ConfigureAwait(false);
            }

            var results = new Dictionary<(string, int), CellResult>();
            Console.WriteLine();
            Console.WriteLine($"{"backend",-8} {"writers",7} {"ops",8} {"ops/s",10} {"p50 ms",8} {"p99 ms",8}");
            foreach (var writers in WriterCounts)
            {
                foreach (var (name, store) in backends)
                {
                    var result = await RunCellAsync(store, $"{name}/{writers}", writers, duration, value, ct).ConfigureAwait(false);
                    results[(name, writers)] = result;
                    Console.WriteLine(
                        $"{name,-8} {writers,7} {result.Operations,8} {result.OpsPerSecond,10:F0} {result.P50.TotalMilliseconds,8:F2} {result.P99.TotalMilliseconds,8:F2}");
                }
            }

            Console.WriteLine();
            Console.WriteLine($"{"sqlite÷etcd",-11} {"ops/s",7} {"p50",7} {"p99",7}");
            foreach (var writers in WriterCounts)
            {
                var (s, e) = (results[("sqlite", writers)], results[("etcd", writers)]);
                Console.WriteLine(
                    $"{writers + " writers",-11} {s.OpsPerSecond / e.OpsPerSecond,7:F2} {s.P50 / e.P50,7:F2} {s.P99 / e.P99,7:F2}");
            }

            var ratio = results[("sqlite", RatioWriters)].OpsPerSecond / results[("etcd", RatioWriters)].OpsPerSecond;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"store/etcd durable puts ratio at {RatioWriters} writers: {ratio:F2}"));
            return 0;
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task<CellResult> RunCellAsync(
        IKeyValueStore store, string keySpace, int writers, TimeSpan duration, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        var latencies = new List<long>[writers];
        var tasks = new Task[writers];
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (var w = 0; w < writers; w++)
        {
            var samples = latencies[w] = new List<long>(4096);
            var prefix = $"/registry/bench/{keySpace}/{w}/";
            tasks[w] = Task.Run(() => WriteUntilAsync(store, prefix, value, end, samples, ct), ct);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start);

        var all = new List<long>();
        foreach (var samples in latencies)
        {
            all.AddRange(samples);
        }

        all.Sort();
        return new CellResult(all.Count, all.Count / elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static async Task WriteUntilAsync(
        IKeyValueStore store, string prefix, ReadOnlyMemory<byte> value, long end, List<long> samples, CancellationToken ct)
    {
        for (var i = 0; Stopwatch.GetTimestamp() < end; i++)
        {
            var before = Stopwatch.GetTimestamp();
            var result = await store.CreateAsync(prefix + i.ToString(CultureInfo.InvariantCulture), value, ct).ConfigureAwait(false);
            samples.Add(Stopwatch.GetTimestamp() - before);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"create of {prefix}{i} failed: the key already exists");
            }
        }
    }

    private static TimeSpan Percentile(List<long> sorted, double quantile) =>
        sorted.Count == 0
            ? TimeSpan.Zero
            : TimeSpan.FromSeconds((double)sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)] / Stopwatch.Frequency);

    private static bool TryParseSeconds(string[] args, out double seconds)
    {
        seconds = 3;
        for (var i = 0; i < args.Length; i++)
        {
            string text;
            if (args[i] == "--seconds" && i + 1 < args.Length)
            {
                text = args[++i];
            }
            else if (args[i].StartsWith("--seconds=", StringComparison.Ordinal))
            {
                text = args[i]["--seconds=".Length..];
            }
            else
            {
                return false;
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || seconds <= 0)
            {
                return false;
            }
        }

        return true;
    }

    private sealed record CellResult(int Operations, double OpsPerSecond, TimeSpan P50, TimeSpan P99);
}
