using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Navarch.Kubelet.Images;

namespace Navarch.Bench;

/// <summary>
/// <c>pod-startup</c>: Kubernetes' pod startup SLI on one real node. A <c>navarch server</c> WITH its node agent (its
/// own containerd, runc and CNI) on a temporary data dir, with the embedded scheduler and controller manager; the
/// <c>busybox:latest</c> image is put in the agent's image directory so it is imported at start (no pull is timed,
/// as the SLO excludes image pulls). After the node is Ready and two warm-up pods have run, N pods
/// (<c>sleep 3600</c>, small requests) are created at a steady rate (or all at once), and one watch times each from
/// its create request to the event that shows it Running. Everything is deleted and stopped afterwards, leftover
/// shims included, so the next run starts clean.
/// </summary>
internal static class PodStartupBenchmark
{
    private const string Namespace = "navarch-pod-startup";
    private const string Image = "busybox:latest";
    private const int WarmupPods = 2;

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan WarmupTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan DeleteTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SteadyStateSample = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (!PodStartupOptions.TryParse(args, out var options))
        {
            Console.Error.WriteLine(PodStartupOptions.Usage);
            return 2;
        }

        if (Environment.UserName != "root")
        {
            Console.WriteLine("FAILED: the node agent runs containers and needs root");
            return 1;
        }

        var root = Directory.CreateTempSubdirectory("navarch-bench-pod-startup-").FullName;
        var others = AgentProcesses.OtherContainerds(root);
        if (others.Where(o => o.HasPodNetwork).Select(o => o.Description).ToList() is { Count: > 0 } agents)
        {
            // Two node agents on one host share the cni0 bridge (E2E agent tests, another bench run).
            Console.WriteLine($"FAILED: another node agent with a pod network is running; wait for it to end:\n  {string.Join("\n  ", agents)}");
            Directory.Delete(root);
            return 1;
        }

        foreach (var (description, _) in others)
        {
            Console.WriteLine($"note: another containerd shares the cores: {description}");
        }

        Console.WriteLine(
            $"pod-startup benchmark: {options.Pods} pods of {Image} on one node, " +
            (options.Qps > 0 ? $"created at {options.Qps.ToString(CultureInfo.InvariantCulture)} per second" : "created all at once") +
            $"; {Environment.ProcessorCount} cores; load average {LoadAverage()}; state in {root}");

        var agent = new AgentProcesses(root);
        PodStartupResult? result = null;
        try
        {
            var dataDir = Path.Combine(root, "data");
            if (options.AgentOnTmpfs)
            {
                // containerd's root and state, its metadata database included, then live in memory; cleanup unmounts it.
                await MountTmpfsAsync(Path.Combine(dataDir, "agent"), ct).ConfigureAwait(false);
                Console.WriteLine("agent directory on tmpfs");
            }

            await WriteBusyboxAsync(Path.Combine(dataDir, "agent", "images"), ct).ConfigureAwait(false);
            List<string> serverArguments =
            [
                "--kube-scheduler-arg", "secure-port=0", "--kube-controller-manager-arg", "secure-port=0", "--kubelet-port", "0", .. options.ServerArguments,
            ];
            Console.WriteLine($"server: navarch server (with agent) {string.Join(' ', serverArguments)}");
            await using var server = await NavarchServerProcess.StartAsync(
                Path.Combine(root, "bin"), dataDir, serverArguments, withAgent: true, ct).ConfigureAwait(false);
            try
            {
                result = await MeasureAsync(server, agent, dataDir, options, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TimeoutException or IOException or JsonException)
            {
                Console.Error.WriteLine(await server.DescribeAsync().ConfigureAwait(false));
                Console.WriteLine($"FAILED: {e.GetType().Name}: {e.Message}");
            }
            finally
            {
                var stopped = Stopwatch.GetTimestamp();
                var clean = await server.TerminateAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                Console.WriteLine($"server stopped {(clean ? "on SIGTERM" : "by SIGKILL after 30 s")} in {Stopwatch.GetElapsedTime(stopped).TotalSeconds:F1} s");
            }
        }
        finally
        {
            var (killed, unmounted) = await agent.CleanUpAsync(CancellationToken.None).ConfigureAwait(false);
            Console.WriteLine($"cleanup: killed {killed} leftover processes, unmounted {unmounted} mounts");
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.WriteLine($"cleanup: could not delete {root}: {e.Message}");
            }
        }

        if (result is null)
        {
            return 1;
        }

        if (result.Failure is not null)
        {
            Console.WriteLine($"FAILED: {result.Failure}");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pod startup p99 ms: {result.Startup.P99:F0}"));
        return 0;
    }

    private static async Task<PodStartupResult> MeasureAsync(
        NavarchServerProcess server, AgentProcesses agent, string dataDir, PodStartupOptions options, CancellationToken ct)
    {
        var launched = Stopwatch.GetTimestamp();
        using var credentials = await server.WaitReadyAsync(c => c.CreateHttpClient(HttpVersion.Version20), ct).ConfigureAwait(false);
        using var http = credentials.CreateHttpClient(HttpVersion.Version20);
        using var watchHttp = credentials.CreateHttpClient(HttpVersion.Version20);
        watchHttp.Timeout = Timeout.InfiniteTimeSpan;

        var node = await WaitNodeReadyAsync(http, ct).ConfigureAwait(false);
        Console.WriteLine($"node {node} Ready with a pod CIDR {Stopwatch.GetElapsedTime(launched).TotalSeconds:F1} s after the server started; server pid {server.ProcessId}");

        await SchedulerHttp.EnsureNamespaceAsync(http, Namespace, ct).ConfigureAwait(false);
        await using var watch = await PodStartupWatch.StartAsync(watchHttp, Namespace, ct).ConfigureAwait(false);

        // Warm-up: the first pods pay for JIT in the server, the first CNI ADD (bridge creation) and the first snapshot.
        var warmup = Enumerable.Range(0, WarmupPods).Select(i => $"warmup-{i.ToString(CultureInfo.InvariantCulture)}").ToList();
        var warmupStart = Stopwatch.GetTimestamp();
        foreach (var name in warmup)
        {
            await CreatePodAsync(http, name, retryUntilAdmitted: true, ct).ConfigureAwait(false);
        }

        if (!await watch.WaitUntilAsync(w => w.Count(warmup).Running == warmup.Count, WarmupTimeout, ct).ConfigureAwait(false))
        {
            return PodStartupResult.Failed($"the warm-up pods were not Running within {WarmupTimeout.TotalSeconds:F0} s: {Describe(watch, warmup)}");
        }

        Console.WriteLine($"warm-up: {WarmupPods} pods Running after {Stopwatch.GetElapsedTime(warmupStart).TotalSeconds:F1} s");
        if (await DeleteAllAsync(http, watch, warmup, ct).ConfigureAwait(false) is { } warmupLeft)
        {
            return PodStartupResult.Failed(warmupLeft);
        }

        // The idle cost of the node and control plane without pods, to compare with the same sample once all run.
        await ReportSteadyStateAsync(server, agent, 0, ct).ConfigureAwait(false);
        var names = Enumerable.Range(0, options.Pods).Select(i => $"startup-{i.ToString("D3", CultureInfo.InvariantCulture)}").ToList();
        var sent = new long[names.Count];
        var serverCpu = server.CpuTime();
        var agentCpu = agent.CpuSeconds();
        var start = Stopwatch.GetTimestamp();
        var creates = new Task[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            if (options.Qps > 0 && TimeSpan.FromSeconds(i / options.Qps) - Stopwatch.GetElapsedTime(start) is { } wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct).ConfigureAwait(false);
            }

            sent[i] = Stopwatch.GetTimestamp();
            creates[i] = CreatePodAsync(http, names[i], retryUntilAdmitted: false, ct);
        }

        await Task.WhenAll(creates).ConfigureAwait(false);
        var allRunning = await WaitWithProgressAsync(watch, names, server, start, options.Timeout, ct).ConfigureAwait(false);
        var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var serverCpuUsed = (server.CpuTime() - serverCpu).TotalSeconds;
        var agentCpuUsed = agent.CpuSeconds() - agentCpu;

        var result = Collect(watch, names, sent) with
        {
            Failure = allRunning ? null : $"{watch.Count(names).Running} of {names.Count} pods Running within {options.Timeout.TotalSeconds:F0} s: {Describe(watch, names)}",
        };
        Report(result, wall, serverCpuUsed, agentCpuUsed, names.Count);
        await ReportSteadyStateAsync(server, agent, names.Count, ct).ConfigureAwait(false);
        if (options.CriProbePods > 0)
        {
            // With the measured pods still running, as the kubelet's calls met containerd during the run.
            await NodeRuntimeProbes.RunAsync(Path.Combine(dataDir, "agent"), Image, options.CriProbePods, ct).ConfigureAwait(false);
        }

        var deleting = Stopwatch.GetTimestamp();
        var left = await DeleteAllAsync(http, watch, names, ct).ConfigureAwait(false);
        Console.WriteLine(left ?? $"deleted {names.Count} pods (the kubelet stopped and removed their containers) in {Stopwatch.GetElapsedTime(deleting).TotalSeconds:F1} s");
        return result.Failure is null && left is not null ? result with { Failure = left } : result;
    }

    private static PodStartupResult Collect(PodStartupWatch watch, List<string> names, long[] sent)
    {
        List<double> startup = [], upstream = [], scheduling = [], kubelet = [];
        for (var i = 0; i < names.Count; i++)
        {
            if (watch.Get(names[i]) is not { RunningSeen: > 0 } pod)
            {
                continue;
            }

            startup.Add(Stopwatch.GetElapsedTime(sent[i], pod.RunningSeen).TotalMilliseconds);
            if (pod.CreationTimestamp is { } created && pod.RunningSeenWall is { } seen)
            {
                upstream.Add((seen - created).TotalMilliseconds);
            }

            if (pod.BoundSeen > 0)
            {
                scheduling.Add(Stopwatch.GetElapsedTime(sent[i], pod.BoundSeen).TotalMilliseconds);
                kubelet.Add(Stopwatch.GetElapsedTime(pod.BoundSeen, pod.RunningSeen).TotalMilliseconds);
            }
        }

        return new PodStartupResult(
            LatencySummary.Of(startup), LatencySummary.Of(upstream), LatencySummary.Of(scheduling), LatencySummary.Of(kubelet), null);
    }

    private static void Report(PodStartupResult result, double wall, double serverCpu, AgentCpu agentCpu, int pods)
    {
        Console.WriteLine();
        Console.WriteLine($"load average at the end {LoadAverage()}; {wall:F1} s from the first create to the last pod Running");
        Console.WriteLine("| interval (ms) | pods | p50 | p90 | p99 | max |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine(result.Startup.Row("create request → watch sees Running"));
        Console.WriteLine(result.Upstream.Row("creationTimestamp (whole s) → watch sees Running"));
        Console.WriteLine(result.Scheduling.Row("create request → watch sees bound"));
        Console.WriteLine(result.Kubelet.Row("watch sees bound → watch sees Running"));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"CPU s during the run: server (API server, scheduler, controller manager, kubelet) {serverCpu:F1}, containerd {agentCpu.Containerd:F1}, " +
            $"its ended children (CNI plugins, shim start) {agentCpu.ContainerdChildren:F1}, shims {agentCpu.Shims:F1}, their ended children (runc) {agentCpu.ShimChildren:F1}; " +
            $"per pod {(serverCpu + agentCpu.Total) * 1000 / pods:F0} ms, of which the runtime {agentCpu.Total * 1000 / pods:F0} ms"));
    }

    /// <summary>
    /// With every pod Running and nothing changing, how many cores the server (its kubelet polls each pod's runtime
    /// status every second) and containerd (which answers those polls) keep busy: the node's idle cost per pod.
    /// </summary>
    private static async Task ReportSteadyStateAsync(NavarchServerProcess server, AgentProcesses agent, int pods, CancellationToken ct)
    {
        var serverCpu = server.CpuTime();
        var agentCpu = agent.CpuSeconds();
        var start = Stopwatch.GetTimestamp();
        await Task.Delay(SteadyStateSample, ct).ConfigureAwait(false);
        var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var used = agent.CpuSeconds() - agentCpu;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"steady state with {pods} pods running, over {wall:F1} s: server {(server.CpuTime() - serverCpu).TotalSeconds / wall:F2} cores, " +
            $"containerd and its children {(used.Containerd + used.ContainerdChildren) / wall:F2} cores, shims and runc {(used.Shims + used.ShimChildren) / wall:F2} cores"));
    }

    /// <summary>Prints the Running count and the server's CPU every couple of seconds until all are Running or the timeout passes.</summary>
    private static async Task<bool> WaitWithProgressAsync(
        PodStartupWatch watch, List<string> names, NavarchServerProcess server, long start, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = start + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var serverCpu = server.CpuTime();
        var last = Stopwatch.GetTimestamp();
        while (true)
        {
            var left = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            if (await watch.WaitUntilAsync(w => w.Count(names).Running == names.Count, left < ProgressInterval ? left : ProgressInterval, ct).ConfigureAwait(false))
            {
                return true;
            }

            var now = Stopwatch.GetTimestamp();
            var serverNow = server.CpuTime();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  t={Stopwatch.GetElapsedTime(start, now).TotalSeconds,5:F1}s running {watch.Count(names).Running,3}/{names.Count}  " +
                $"server cores {(serverNow - serverCpu).TotalSeconds / Stopwatch.GetElapsedTime(last, now).TotalSeconds:F2}"));
            serverCpu = serverNow;
            last = now;
        }
    }

    /// <summary>Deletes the pods (their grace period is 1 s) and waits until the watch has seen each deleted; null when all are gone.</summary>
    private static async Task<string?> DeleteAllAsync(HttpClient http, PodStartupWatch watch, List<string> names, CancellationToken ct)
    {
        await Task.WhenAll(names.Select(async name =>
        {
            using var request = SchedulerHttp.NewRequest(http, HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/pods/{name}");
            await SchedulerHttp.SendAsync(http, request, ct, HttpStatusCode.OK, HttpStatusCode.Accepted, HttpStatusCode.NotFound).ConfigureAwait(false);
        })).ConfigureAwait(false);
        return await watch.WaitUntilAsync(w => w.Count(names).Present == 0, DeleteTimeout, ct).ConfigureAwait(false)
            ? null
            : $"{watch.Count(names).Present} of {names.Count} pods still present {DeleteTimeout.TotalSeconds:F0} s after their deletion";
    }

    /// <summary>
    /// Creates one pod. The first create may come before the controller manager made the namespace's default
    /// ServiceAccount; with <paramref name="retryUntilAdmitted"/> it is retried until then.
    /// </summary>
    private static async Task CreatePodAsync(HttpClient http, string name, bool retryUntilAdmitted, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(WarmupTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            using var request = SchedulerHttp.NewRequest(http, HttpMethod.Post, $"/api/v1/namespaces/{Namespace}/pods", PodJson(name));
            try
            {
                await SchedulerHttp.SendAsync(http, request, ct, HttpStatusCode.Created).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (retryUntilAdmitted && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A pod that runs until deleted; requests small enough for 110 of them on a 2-core node; grace 1 s because
    /// <c>sleep</c> as PID 1 ignores SIGTERM, so deletion would otherwise wait out the default 30 s.
    /// </summary>
    private static string PodJson(string name) =>
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"pod-startup\"}}," +
        "\"spec\":{\"terminationGracePeriodSeconds\":1,\"containers\":[{\"name\":\"sleep\",\"image\":\"" + Image + "\"," +
        "\"imagePullPolicy\":\"IfNotPresent\",\"command\":[\"sleep\",\"3600\"]," +
        "\"resources\":{\"requests\":{\"cpu\":\"5m\",\"memory\":\"4Mi\"}}}]}}";

    /// <summary>Waits for a Node with Ready=True and a pod CIDR (the agent writes its CNI config from it); returns its name.</summary>
    private static async Task<string> WaitNodeReadyAsync(HttpClient http, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(ReadyTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            using (var request = SchedulerHttp.NewRequest(http, HttpMethod.Get, "/api/v1/nodes"))
            {
                using var document = JsonDocument.Parse(await SchedulerHttp.SendAsync(http, request, ct, HttpStatusCode.OK).ConfigureAwait(false));
                foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
                {
                    if (IsReadyWithCidr(item))
                    {
                        return item.GetProperty("metadata").GetProperty("name").GetString() ?? "";
                    }
                }
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"no node was Ready with a pod CIDR within {ReadyTimeout.TotalSeconds:F0} s");
            }

            await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }

    private static bool IsReadyWithCidr(JsonElement node)
    {
        if (!node.TryGetProperty("spec", out var spec) || !spec.TryGetProperty("podCIDR", out var cidr) || string.IsNullOrEmpty(cidr.GetString()))
        {
            return false;
        }

        if (!node.TryGetProperty("status", out var status) || !status.TryGetProperty("conditions", out var conditions))
        {
            return false;
        }

        return conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True");
    }

    /// <summary>The pods that are not Running, with their last phase and waiting reason, for a failure's message.</summary>
    private static string Describe(PodStartupWatch watch, List<string> names)
    {
        var stuck = names
            .Select(name => (name, pod: watch.Get(name)))
            .Where(p => p.pod is not { RunningSeen: > 0 })
            .Select(p => p.pod is null ? $"{p.name} (never seen)" : $"{p.name} ({p.pod.Phase ?? "no phase"}{(p.pod.Waiting is { } w ? ", " + w : "")}{(p.pod.BoundSeen == 0 ? ", unbound" : "")})")
            .ToList();
        return string.Join(", ", stuck.Take(10)) + (stuck.Count > 10 ? $" and {stuck.Count - 10} more" : "");
    }

    private static async Task MountTmpfsAsync(string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        using var mount = Process.Start("mount", ["-t", "tmpfs", "-o", "mode=0755", "tmpfs", directory]);
        await mount.WaitForExitAsync(ct).ConfigureAwait(false);
        if (mount.ExitCode != 0)
        {
            throw new IOException($"mount -t tmpfs on {directory} failed with exit code {mount.ExitCode}");
        }
    }

    /// <summary>Writes the busybox image where the agent imports tarballs at start (as an air-gapped node would get it).</summary>
    private static async Task WriteBusyboxAsync(string imagesDirectory, CancellationToken ct)
    {
        Directory.CreateDirectory(imagesDirectory);
        await using var output = File.Create(Path.Combine(imagesDirectory, "busybox.tar"));
        await BusyboxImages.WriteBusyboxAsync(output, BusyboxImages.BuildLayer(), ct).ConfigureAwait(false);
    }

    /// <summary>The 1, 5 and 15 minute load averages: the machine may be shared, and this says how busy it was.</summary>
    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
