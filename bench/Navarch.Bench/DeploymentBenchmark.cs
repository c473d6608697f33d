using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Navarch.Bench;

/// <summary>
/// <c>deployment</c>: how fast the controller manager turns "scale to P" into P bound pods. A <c>navarch server
/// --disable-controller-manager</c> (embedded scheduler on) holds N simulated nodes with heartbeats; a separate
/// <c>navarch controller-manager</c> process (so its CPU and memory are its own) runs every controller. A Deployment
/// (or ReplicaSet) is created with 0 replicas and then scaled to P through its scale subresource; one watch on the
/// namespace's pods times, from the scale request, when all P exist and when all P are bound. Exactly P pods must
/// exist at the end, all bound, within a deadline that grows with P.
/// </summary>
internal static class DeploymentBenchmark
{
    private const string Namespace = "navarch-deploy-bench";
    private const int DefaultPods = 30000;
    private const int DefaultClients = 16;
    private const int MaxConnections = 4;
    private const int PodsPerNode = 100;
    private const int SpareNodes = 10;
    private const int ListPageSize = 1000;
    private const string NodeCpu = "32";
    private const string NodeMemory = "256Gi";

    // The default 10.42.0.0/16 holds 256 node /24s: nodeipam would leave every later node NetworkUnavailable (and
    // so tainted), and pods beyond 256 nodes' worth would stay pending. A /8 holds 65,536 nodes.
    private const string ClusterCidr = "10.0.0.0/8";

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ObservedTimeout = TimeSpan.FromSeconds(60);

    // Long enough for a controller that over-creates to have shown it: its next syncs follow within milliseconds.
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (!DeploymentOptions.TryParse(args, DefaultPods, DefaultClients, out var options))
        {
            Console.Error.WriteLine(
                "usage: Navarch.Bench deployment [--pods P] [--nodes N] [--clients C] [--workload deployment|replicaset] " +
                "[--scheduler-qps Q] [--controller-manager-arg ARG]... [--timeout SECONDS] [--pause-before-scale SECONDS]" +
                $"   (defaults {DefaultPods} pods, ceil(P/{PodsPerNode})+{SpareNodes} nodes, {DefaultClients} clients, deployment)");
            return 2;
        }

        var nodes = options.Nodes ?? (options.Pods + PodsPerNode - 1) / PodsPerNode + SpareNodes;
        var deadline = options.Timeout ?? TimeSpan.FromSeconds(30) + TimeSpan.FromMilliseconds(10.0 * options.Pods);
        Console.WriteLine(
            $"deployment benchmark: {options.Workload.Label} scaled 0 -> {options.Pods} pods on {nodes} nodes " +
            $"(cpu {NodeCpu}, memory {NodeMemory}, pods 110), deadline {deadline.TotalSeconds:F0} s; " +
            $"{Environment.ProcessorCount} cores; load average {LoadAverage()}");

        var root = Directory.CreateTempSubdirectory("navarch-bench-deployment-");
        try
        {
            List<string> serverArguments = ["--disable-controller-manager"];
            if (options.SchedulerQps is { } qps)
            {
                var text = qps.ToString(CultureInfo.InvariantCulture);
                serverArguments.AddRange(["--kube-scheduler-arg", $"kube-api-qps={text}", "--kube-scheduler-arg", $"kube-api-burst={text}"]);
            }

            Console.WriteLine($"server: navarch server --disable-agent {string.Join(' ', serverArguments)}");
            await using var server = await NavarchServerProcess.StartAsync(
                Path.Combine(root.FullName, "bin"), Path.Combine(root.FullName, "data"), serverArguments, ct).ConfigureAwait(false);
            ComponentProcess? controllerManager = null;
            try
            {
                var result = await RunAgainstAsync(server, c => controllerManager = c, options, nodes, deadline, ct).ConfigureAwait(false);
                return Report(result);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TimeoutException or IOException or JsonException)
            {
                // Most failures here are a child's; say what they said.
                Console.Error.WriteLine(await server.DescribeAsync().ConfigureAwait(false));
                if (controllerManager is not null)
                {
                    Console.Error.WriteLine(controllerManager.Describe());
                }

                Console.WriteLine($"FAILED: {e.GetType().Name}: {e.Message}");
                return 1;
            }
            finally
            {
                if (controllerManager is not null)
                {
                    await controllerManager.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static int Report(DeploymentResult result)
    {
        Console.WriteLine();
        Console.WriteLine($"load average at the end {LoadAverage()}; times are from the scale request to the event seen on the pod watch");
        foreach (var row in result.Rows())
        {
            Console.WriteLine(row);
        }

        if (result.Failure is not null)
        {
            Console.WriteLine($"FAILED: {result.Failure}");
            return 1;
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"{result.Workload} {result.Pods} pods bound in s: {result.AllBoundSeconds:F2}"));
        return 0;
    }

    private static async Task<DeploymentResult> RunAgainstAsync(
        NavarchServerProcess server, Action<ComponentProcess> started, DeploymentOptions options, int nodes, TimeSpan deadline,
        CancellationToken ct)
    {
        using var credentials = await server.WaitReadyAsync(c => c.CreateHttpClient(HttpVersion.Version20), ct).ConfigureAwait(false);
        var connections = new List<HttpClient>();
        try
        {
            for (var c = 0; c < Math.Min(options.Clients, MaxConnections); c++)
            {
                connections.Add(credentials.CreateHttpClient(HttpVersion.Version20));
            }

            using var watchHttp = credentials.CreateHttpClient(HttpVersion.Version20);
            watchHttp.Timeout = Timeout.InfiniteTimeSpan;
            var http = connections[0];
            await SchedulerHttp.EnsureNamespaceAsync(http, Namespace, ct).ConfigureAwait(false);

            var nodeTime = await SchedulerNodes.CreateAsync(connections, options.Clients, nodes, NodeCpu, NodeMemory, ct).ConfigureAwait(false);
            await using var leases = await DeploymentNodeLeases.StartAsync(http, nodes, ct).ConfigureAwait(false);
            Console.WriteLine($"created {nodes} nodes (with Leases) in {nodeTime.TotalSeconds:F1} s; server pid {server.ProcessId}");

            await using var watch = await DeploymentPodWatch.StartAsync(watchHttp, Namespace, options.Pods, ct).ConfigureAwait(false);
            List<string> managerArguments = ["--leader-elect", "false", "--cluster-cidr", ClusterCidr, .. options.ControllerManagerArguments];
            Console.WriteLine($"controller manager: navarch controller-manager --kubeconfig <server's> --secure-port <free> {string.Join(' ', managerArguments)}");
            var controllerManager = ComponentProcess.Start(server.AssemblyPath, "controller-manager", server.KubeconfigPath, managerArguments);
            started(controllerManager);
            var launched = Stopwatch.GetTimestamp();
            await controllerManager.WaitHealthyAsync(ct).ConfigureAwait(false);
            Console.WriteLine(
                $"controller-manager pid {controllerManager.ProcessId}: healthy after {Stopwatch.GetElapsedTime(launched).TotalSeconds:F1} s, " +
                $"RSS {Mebibytes(controllerManager.ResidentBytes()):F0} MiB");

            // Created at 0 and observed: the controllers' caches hold it and the next change is the scale alone.
            using (var create = SchedulerHttp.NewRequest(http, HttpMethod.Post, options.Workload.CollectionPath(Namespace), options.Workload.Json(Namespace)))
            {
                await SchedulerHttp.SendAsync(http, create, ct, HttpStatusCode.Created).ConfigureAwait(false);
            }

            await WaitObservedAsync(http, options.Workload.ObjectPath(Namespace), ct).ConfigureAwait(false);
            Console.WriteLine($"{options.Workload.Label} {DeploymentWorkload.Name} created with 0 replicas and observed after {Stopwatch.GetElapsedTime(launched).TotalSeconds:F1} s");
            if (options.PauseBeforeScale > TimeSpan.Zero)
            {
                Console.WriteLine($"pausing {options.PauseBeforeScale.TotalSeconds:F0} s before scaling (attach profilers now)");
                await Task.Delay(options.PauseBeforeScale, ct).ConfigureAwait(false);
            }

            var managerCpu = controllerManager.CpuTime();
            var serverCpu = server.CpuTime();
            var benchCpu = BenchCpu();
            var scaled = Stopwatch.GetTimestamp();
            using (var scale = SchedulerHttp.NewRequest(
                http, HttpMethod.Patch, options.Workload.ObjectPath(Namespace) + "/scale",
                ScalePatch(options.Pods), "application/merge-patch+json"))
            {
                await SchedulerHttp.SendAsync(http, scale, ct, HttpStatusCode.OK).ConfigureAwait(false);
            }

            var allBound = await WaitWithProgressAsync(watch, controllerManager, server, scaled, deadline, ct).ConfigureAwait(false);
            var managerCpuUsed = (controllerManager.CpuTime() - managerCpu).TotalSeconds;
            var serverCpuUsed = (server.CpuTime() - serverCpu).TotalSeconds;
            var benchCpuUsed = (BenchCpu() - benchCpu).TotalSeconds;

            if (allBound)
            {
                await Task.Delay(SettleTime, ct).ConfigureAwait(false);
            }

            Console.WriteLine();
            foreach (var line in DeploymentBursts.Describe(watch.CreatedTimestamps, scaled))
            {
                Console.WriteLine(line);
            }

            var (listed, listedBound) = await CountPodsAsync(http, ct).ConfigureAwait(false);
            var failure = Check(options.Pods, watch, listed, listedBound, allBound, deadline);
            return new DeploymentResult(
                options.Workload.Label,
                nodes,
                options.Pods,
                watch.Created,
                watch.Bound,
                listed,
                Since(scaled, watch.FirstCreatedTimestamp),
                Since(scaled, watch.AllCreatedTimestamp),
                Since(scaled, watch.AllBoundTimestamp),
                managerCpuUsed,
                serverCpuUsed,
                benchCpuUsed,
                Mebibytes(controllerManager.PeakResidentBytes()),
                Mebibytes(controllerManager.ResidentBytes()),
                Mebibytes(server.PeakResidentBytes()),
                Mebibytes(server.ResidentBytes()),
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

    /// <summary>Null when exactly <paramref name="pods"/> pods exist, all bound, and no more were ever created; else what is wrong.</summary>
    private static string? Check(int pods, DeploymentPodWatch watch, int listed, int listedBound, bool allBound, TimeSpan deadline)
    {
        if (!allBound)
        {
            return $"{watch.Bound} of {pods} pods bound ({watch.Created} created) within {deadline.TotalSeconds:F0} s";
        }

        if (watch.Created != pods)
        {
            return $"{watch.Created} pods were created for {pods} replicas";
        }

        if (listed != pods || listedBound != pods)
        {
            return $"the pod list shows {listed} pods ({listedBound} bound) for {pods} replicas";
        }

        return null;
    }

    /// <summary>Prints created and bound counts and each process's CPU every couple of seconds until all are bound or the deadline passes.</summary>
    private static async Task<bool> WaitWithProgressAsync(
        DeploymentPodWatch watch, ComponentProcess controllerManager, NavarchServerProcess server, long scaled, TimeSpan deadline,
        CancellationToken ct)
    {
        var managerCpu = controllerManager.CpuTime();
        var serverCpu = server.CpuTime();
        var last = Stopwatch.GetTimestamp();
        while (true)
        {
            var left = deadline - Stopwatch.GetElapsedTime(scaled);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            if (await watch.WaitAllBoundAsync(left < ProgressInterval ? left : ProgressInterval, ct).ConfigureAwait(false))
            {
                return true;
            }

            if (controllerManager.HasExited)
            {
                throw new InvalidOperationException("the controller manager exited during the run");
            }

            // CPU per wall second over the interval: how many cores each process kept busy.
            var now = Stopwatch.GetTimestamp();
            var wall = Stopwatch.GetElapsedTime(last, now).TotalSeconds;
            var managerNow = controllerManager.CpuTime();
            var serverNow = server.CpuTime();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  t={Stopwatch.GetElapsedTime(scaled, now).TotalSeconds,6:F1}s created {watch.Created,6} bound {watch.Bound,6}  " +
                $"cores: controller-manager {(managerNow - managerCpu).TotalSeconds / wall:F2}, server+scheduler {(serverNow - serverCpu).TotalSeconds / wall:F2}"));
            managerCpu = managerNow;
            serverCpu = serverNow;
            last = now;
        }
    }

    /// <summary>Polls until the workload's status.observedGeneration reaches its generation (its controller has synced it).</summary>
    private static async Task WaitObservedAsync(HttpClient http, string path, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(ObservedTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            using (var request = SchedulerHttp.NewRequest(http, HttpMethod.Get, path))
            {
                using var document = JsonDocument.Parse(await SchedulerHttp.SendAsync(http, request, ct, HttpStatusCode.OK).ConfigureAwait(false));
                var root = document.RootElement;
                var generation = root.GetProperty("metadata").TryGetProperty("generation", out var g) ? g.GetInt64() : 0;
                if (root.TryGetProperty("status", out var status) && status.TryGetProperty("observedGeneration", out var observed)
                    && observed.GetInt64() >= generation)
                {
                    return;
                }
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{path} was not observed by its controller within {ObservedTimeout.TotalSeconds:F0} s");
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The namespace's pods that are not terminating, and how many of them are bound, from a (paged) list.</summary>
    private static async Task<(int Pods, int Bound)> CountPodsAsync(HttpClient http, CancellationToken ct)
    {
        var pods = 0;
        var bound = 0;
        string? continueToken = null;
        do
        {
            var path = $"/api/v1/namespaces/{Namespace}/pods?limit={ListPageSize}"
                + (continueToken is null ? "" : $"&continue={Uri.EscapeDataString(continueToken)}");
            using var request = SchedulerHttp.NewRequest(http, HttpMethod.Get, path);
            using var document = JsonDocument.Parse(await SchedulerHttp.SendAsync(http, request, ct, HttpStatusCode.OK).ConfigureAwait(false));
            foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
            {
                if (item.GetProperty("metadata").TryGetProperty("deletionTimestamp", out _))
                {
                    continue;
                }

                pods++;
                if (item.GetProperty("spec").TryGetProperty("nodeName", out var nodeName) && !string.IsNullOrEmpty(nodeName.GetString()))
                {
                    bound++;
                }
            }

            continueToken = document.RootElement.GetProperty("metadata").TryGetProperty("continue", out var token) ? token.GetString() : null;
        }
        while (!string.IsNullOrEmpty(continueToken));

        return (pods, bound);
    }

    private static string ScalePatch(int replicas) =>
        "{\"spec\":{\"replicas\":" + replicas.ToString(CultureInfo.InvariantCulture) + "}}";

    private static double Since(long start, long timestamp) => timestamp == 0 ? 0 : Stopwatch.GetElapsedTime(start, timestamp).TotalSeconds;

    private static TimeSpan BenchCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static double Mebibytes(long bytes) => bytes / 1024.0 / 1024;

    /// <summary>The 1, 5 and 15 minute load averages: the machine may be shared, and this says how busy it was.</summary>
    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
