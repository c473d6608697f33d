using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Navarch.Bench;

/// <summary>
/// <c>scheduler</c>: scheduler_perf's shape against real processes. A <c>navarch server --disable-scheduler</c>
/// holds N kubemark-like nodes; a separate <c>navarch scheduler</c> process (so its memory is its own) schedules P
/// pods created as fast as the API takes them. One watch records when each pod is first seen bound; the report is
/// pods/s from the first create to the last bind, create-to-bound p50/p99, and the scheduler's CPU and RSS. Every
/// pod must be bound within a deadline that grows with P, and the placements must obey the scenario's rules.
/// </summary>
internal static class SchedulerBenchmark
{
    // scheduler_perf runs 5000 nodes; pods are 10000 so that the queue, not start-up, dominates.
    private const int DefaultNodes = 5000;
    private const int DefaultPods = 10000;
    private const int DefaultClients = 16;
    private const int MaxConnections = 4;
    private const int ListPageSize = 1000;

    private static readonly TimeSpan WarmupTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (!TryParse(args, out var nodes, out var pods, out var scenarioName, out var clients)
            || SchedulerScenario.Create(scenarioName, nodes, pods) is not { } scenarios)
        {
            Console.Error.WriteLine(
                $"usage: Navarch.Bench scheduler [--nodes N] [--pods P] [--scenario {string.Join('|', SchedulerScenario.Names)}|all] [--clients C]" +
                $"   (defaults {DefaultNodes} nodes, {DefaultPods} pods, basic, {DefaultClients} clients)");
            return 2;
        }

        Console.WriteLine(
            $"scheduler benchmark: {nodes} nodes (cpu 4, memory 32Gi, pods 110, {SchedulerNodes.Zones} zones), {pods} pods, " +
            $"{clients} clients over HTTP/2; {Environment.ProcessorCount} cores; load average {LoadAverage()}");
        var results = new List<SchedulerResult>();
        foreach (var scenario in scenarios)
        {
            Console.WriteLine();
            Console.WriteLine($"[{scenario.Name}] {scenario.Description}");
            var result = await RunScenarioAsync(scenario, nodes, pods, clients, ct).ConfigureAwait(false);
            results.Add(result);
            Console.WriteLine(SchedulerResult.Header);
            Console.WriteLine(result.Row());
            if (result.Failure is not null)
            {
                Console.WriteLine($"[{scenario.Name}] FAILED: {result.Failure}");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"load average at the end {LoadAverage()}; latency = create response to bound seen on the watch");
        Console.WriteLine(SchedulerResult.Header);
        foreach (var result in results)
        {
            Console.WriteLine(result.Row());
        }

        if (results.Find(r => r.Scenario == "basic") is { Failure: null } basic)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scheduled pods/s: {basic.PodsPerSecond:F1}"));
        }

        return results.TrueForAll(r => r.Failure is null) ? 0 : 1;
    }

    private static async Task<SchedulerResult> RunScenarioAsync(SchedulerScenario scenario, int nodes, int pods, int clients, CancellationToken ct)
    {
        var root = Directory.CreateTempSubdirectory("navarch-bench-scheduler-");
        try
        {
            await using var server = await NavarchServerProcess.StartAsync(
                Path.Combine(root.FullName, "bin"), Path.Combine(root.FullName, "data"),
                // Only the scheduler is measured: without kubelets to renew node Leases the node lifecycle controller would
                // taint every simulated node after 40 s, as it should on a real cluster.
                ["--disable-scheduler", "--disable-controller-manager"], ct).ConfigureAwait(false);
            SchedulerProcess? scheduler = null;
            try
            {
                return await RunAgainstAsync(server, s => scheduler = s, scenario, nodes, pods, clients, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TimeoutException or IOException or JsonException)
            {
                // Most failures here are a child's; say what they said.
                Console.Error.WriteLine(await server.DescribeAsync().ConfigureAwait(false));
                if (scheduler is not null)
                {
                    Console.Error.WriteLine(scheduler.Describe());
                }

                return SchedulerResult.Failed(scenario.Name, nodes, pods, $"{e.GetType().Name}: {e.Message}");
            }
            finally
            {
                if (scheduler is not null)
                {
                    await scheduler.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task<SchedulerResult> RunAgainstAsync(
        NavarchServerProcess server, Action<SchedulerProcess> started, SchedulerScenario scenario, int nodes, int pods, int clients,
        CancellationToken ct)
    {
        using var credentials = await server.WaitReadyAsync(c => c.CreateHttpClient(HttpVersion.Version20), ct).ConfigureAwait(false);
        var connections = new List<HttpClient>();
        try
        {
            // Several connections: one HTTP/2 connection is one TCP stream and one server-side read loop.
            for (var c = 0; c < Math.Min(clients, MaxConnections); c++)
            {
                connections.Add(credentials.CreateHttpClient(HttpVersion.Version20));
            }

            using var watchHttp = credentials.CreateHttpClient(HttpVersion.Version20);
            watchHttp.Timeout = Timeout.InfiniteTimeSpan;
            var http = connections[0];
            await SchedulerHttp.EnsureNamespaceAsync(http, SchedulerScenario.Namespace, ct).ConfigureAwait(false);

            var nodeTime = await SchedulerNodes.CreateAsync(connections, clients, nodes, ct).ConfigureAwait(false);
            Console.WriteLine($"[{scenario.Name}] created {nodes} nodes in {nodeTime.TotalSeconds:F1} s ({nodes / nodeTime.TotalSeconds:F0}/s)");

            await using var watch = await SchedulerPodWatch.StartAsync(watchHttp, pods, ct).ConfigureAwait(false);
            var scheduler = SchedulerProcess.Start(server.AssemblyPath, server.KubeconfigPath);
            started(scheduler);
            var launched = Stopwatch.GetTimestamp();
            await scheduler.WaitHealthyAsync(ct).ConfigureAwait(false);
            var healthy = Stopwatch.GetElapsedTime(launched);

            // Bound once the scheduler's informers have synced the nodes: from here on, latency is scheduling alone.
            using (var warmup = SchedulerHttp.NewRequest(
                http, HttpMethod.Post, $"/api/v1/namespaces/{SchedulerScenario.Namespace}/pods",
                $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{SchedulerPodWatch.WarmupPodName}}}"},"spec":{"containers":[{"name":"pause","image":"registry.k8s.io/pause:3.10"}]}}"""))
            {
                await SchedulerHttp.SendAsync(http, warmup, ct, HttpStatusCode.Created).ConfigureAwait(false);
            }

            await watch.WaitWarmupBoundAsync(WarmupTimeout, ct).ConfigureAwait(false);
            Console.WriteLine(
                $"[{scenario.Name}] scheduler pid {scheduler.ProcessId}: healthy after {healthy.TotalSeconds:F1} s, " +
                $"first pod bound after {Stopwatch.GetElapsedTime(launched).TotalSeconds:F1} s, RSS {Mebibytes(scheduler.ResidentBytes()):F0} MiB");

            var cpuBefore = scheduler.CpuTime();
            var sent = new long[pods];
            var created = new long[pods];
            var deadline = TimeSpan.FromSeconds(60) + TimeSpan.FromMilliseconds(20.0 * pods);
            await CreatePodsAsync(connections, clients, scenario, sent, created, ct).ConfigureAwait(false);
            var allBound = await watch.WaitAllBoundAsync(Max(TimeSpan.Zero, deadline - Stopwatch.GetElapsedTime(sent.Min())), ct).ConfigureAwait(false);
            var schedulerCpu = scheduler.CpuTime() - cpuBefore;
            var peak = Mebibytes(scheduler.PeakResidentBytes());
            var rss = Mebibytes(scheduler.ResidentBytes());
            var serverRss = Mebibytes(server.ResidentBytes());

            var firstSent = sent.Min();
            var lastCreated = created.Max();
            var latencies = new List<double>(pods);
            var lastBound = 0L;
            for (var i = 0; i < pods; i++)
            {
                var bound = watch.BoundTimestamp(i);
                if (bound != 0)
                {
                    lastBound = Math.Max(lastBound, bound);
                    // The watch can deliver the bind before this process has handled the create's response.
                    latencies.Add(Math.Max(0, bound - created[i]) * 1000.0 / Stopwatch.Frequency);
                }
            }

            latencies.Sort();
            var failure = allBound ? null : $"{watch.BoundCount} of {pods} pods bound within {deadline.TotalSeconds:F0} s";
            var placements = await ListPlacementsAsync(http, pods, ct).ConfigureAwait(false);
            failure ??= Check(scenario, placements, nodes);
            return new SchedulerResult(
                scenario.Name,
                nodes,
                pods,
                watch.BoundCount,
                pods / Seconds(lastCreated - firstSent),
                lastBound == 0 ? 0 : pods / Seconds(lastBound - firstSent),
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.99),
                schedulerCpu.TotalSeconds,
                peak,
                rss,
                serverRss,
                failure);
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }
        }
    }

    /// <summary>Creates the scenario's pods 0..P-1 from <paramref name="clients"/> concurrent workers, recording when each create was sent and answered.</summary>
    private static async Task CreatePodsAsync(
        IReadOnlyList<HttpClient> connections, int clients, SchedulerScenario scenario, long[] sent, long[] created, CancellationToken ct)
    {
        var path = $"/api/v1/namespaces/{SchedulerScenario.Namespace}/pods";
        var next = -1;
        var workers = new Task[clients];
        for (var w = 0; w < clients; w++)
        {
            var http = connections[w % connections.Count];
            workers[w] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < sent.Length)
                {
                    using var request = SchedulerHttp.NewRequest(http, HttpMethod.Post, path, scenario.PodJson(index));
                    sent[index] = Stopwatch.GetTimestamp();
                    await SchedulerHttp.SendAsync(http, request, ct, HttpStatusCode.Created).ConfigureAwait(false);
                    created[index] = Stopwatch.GetTimestamp();
                }
            }, ct);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    /// <summary>Each measured pod's node index from a (paged) list, the source of truth; -1 where unbound.</summary>
    private static async Task<int[]> ListPlacementsAsync(HttpClient http, int pods, CancellationToken ct)
    {
        var placements = new int[pods];
        Array.Fill(placements, -1);
        string? continueToken = null;
        do
        {
            var path = $"/api/v1/namespaces/{SchedulerScenario.Namespace}/pods?limit={ListPageSize}"
                + (continueToken is null ? "" : $"&continue={Uri.EscapeDataString(continueToken)}");
            using var request = SchedulerHttp.NewRequest(http, HttpMethod.Get, path);
            using var document = JsonDocument.Parse(await SchedulerHttp.SendAsync(http, request, ct, HttpStatusCode.OK).ConfigureAwait(false));
            foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
            {
                var name = item.GetProperty("metadata").GetProperty("name").GetString() ?? "";
                if (name.StartsWith("pod-", StringComparison.Ordinal)
                    && int.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < pods
                    && item.GetProperty("spec").TryGetProperty("nodeName", out var nodeName))
                {
                    placements[index] = SchedulerNodes.IndexOf(nodeName.GetString() ?? "");
                }
            }

            continueToken = document.RootElement.GetProperty("metadata").TryGetProperty("continue", out var token) ? token.GetString() : null;
        }
        while (!string.IsNullOrEmpty(continueToken));

        return placements;
    }

    /// <summary>Null when the list shows every pod on a known node and the scenario's rules hold; else what is wrong.</summary>
    private static string? Check(SchedulerScenario scenario, int[] placements, int nodes)
    {
        var unplaced = Array.FindAll(placements, p => p < 0 || p >= nodes).Length;
        if (unplaced > 0)
        {
            return $"the pod list shows {unplaced} of {placements.Length} pods not bound to a benchmark node";
        }

        var violations = new List<string>();
        scenario.Verify(placements, nodes, violations);
        return violations.Count == 0 ? null : $"{violations.Count} placement violation(s), e.g. {string.Join("; ", violations.Take(3))}";
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static double Seconds(long ticks) => Math.Max(1, ticks) / (double)Stopwatch.Frequency;

    private static double Percentile(List<double> sorted, double quantile) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];

    private static double Mebibytes(long bytes) => bytes / 1024.0 / 1024;

    /// <summary>The 1, 5 and 15 minute load averages: the machine may be shared, and this says how busy it was.</summary>
    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static bool TryParse(string[] args, out int nodes, out int pods, out string scenario, out int clients)
    {
        nodes = DefaultNodes;
        pods = DefaultPods;
        scenario = "basic";
        clients = DefaultClients;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, text) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            switch (name)
            {
                case "--nodes" when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out nodes) && nodes > 0:
                case "--pods" when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out pods) && pods > 0:
                case "--clients" when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out clients) && clients > 0:
                    break;
                case "--scenario" when text is not null:
                    scenario = text;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }
}
