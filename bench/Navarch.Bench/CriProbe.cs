using System.Diagnostics;
using System.Globalization;
using k8s.Models;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Bench;

/// <summary>
/// Times the CRI calls one pod start makes, straight against the agent's containerd (no API server, no kubelet), in
/// the kubelet's order: RunPodSandbox (pause container and CNI ADD), PodSandboxStatus, ImageStatus, CreateContainer,
/// StartContainer, and the status read (list and status of sandbox and containers). Pods with the pod network and
/// with the host network tell the CNI's share; pods started side by side tell whether containerd serialises them.
/// Each probe pod is stopped and removed again.
/// </summary>
internal sealed class CriProbe(string socketPath, string logsRoot, string image)
{
    private const string Namespace = "navarch-cri-probe";

    private static readonly string[] Steps = ["RunPodSandbox", "PodSandboxStatus", "ImageStatus", "CreateContainer", "StartContainer", "status read", "pod total"];

    /// <summary>Runs the probe and returns its report as markdown table lines.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(int podsPerKind, int parallel, CancellationToken ct)
    {
        using var cri = new CriClient(socketPath);
        var sandboxBuilder = new PodSandboxConfigBuilder(logsRoot);
        var podNetwork = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var hostNetwork = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var i = 0; i < podsPerKind; i++)
        {
            await StartAndRemoveAsync(cri, sandboxBuilder, $"pod-{i}", host: false, podNetwork, ct).ConfigureAwait(false);
            await StartAndRemoveAsync(cri, sandboxBuilder, $"host-{i}", host: true, hostNetwork, ct).ConfigureAwait(false);
        }

        var side = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(i => StartAndRemoveAsync(cri, sandboxBuilder, $"side-{i}", host: false, side, ct))).ConfigureAwait(false);
        var sideWall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        var lines = new List<string>
        {
            $"| CRI step (ms) | pod network, p50 / max of {podsPerKind} | host network, p50 / max of {podsPerKind} | {parallel} pods at once, p50 / max |",
            "|---|---|---|---|",
        };
        foreach (var step in Steps)
        {
            lines.Add($"| {step} | {Cell(podNetwork, step)} | {Cell(hostNetwork, step)} | {Cell(side, step)} |");
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{parallel} pods started side by side in {sideWall:F0} ms (including their removal)"));
        return lines;
    }

    private static string Cell(Dictionary<string, List<double>> samples, string step)
    {
        if (!samples.TryGetValue(step, out var values) || values.Count == 0)
        {
            return "-";
        }

        var summary = LatencySummary.Of(values);
        return string.Create(CultureInfo.InvariantCulture, $"{summary.P50:F0} / {summary.Max:F0}");
    }

    /// <summary>Starts and removes pods with the pod network one at a time; returns RunPodSandbox and pod total as "p50 / max".</summary>
    public async Task<(string RunPodSandbox, string Total)> RunPodNetworkAsync(int pods, CancellationToken ct)
    {
        using var cri = new CriClient(socketPath);
        var sandboxBuilder = new PodSandboxConfigBuilder(logsRoot);
        var samples = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var i = 0; i < pods; i++)
        {
            await StartAndRemoveAsync(cri, sandboxBuilder, $"cni-{i}", host: false, samples, ct).ConfigureAwait(false);
        }

        return (Cell(samples, "RunPodSandbox"), Cell(samples, "pod total"));
    }

    /// <summary>
    /// Starts <paramref name="pods"/> pods as if all were created at once, at most <paramref name="concurrency"/> at a
    /// time in order (what a kubelet with a bounded start queue would do), and returns a markdown row: wall time,
    /// pods per second, and the p50, p99 and first of each pod's time from the batch start to its container started.
    /// </summary>
    public async Task<string> RunBatchAsync(int pods, int concurrency, CancellationToken ct)
    {
        using var cri = new CriClient(socketPath);
        var sandboxBuilder = new PodSandboxConfigBuilder(logsRoot);
        using var slots = new SemaphoreSlim(concurrency);
        var latencies = new double[pods];
        var sandboxes = new string?[pods];
        var logs = new string[pods];
        var start = Stopwatch.GetTimestamp();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, pods).Select(async i =>
            {
                await slots.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    (sandboxes[i], logs[i]) = await StartAsync(cri, sandboxBuilder, $"batch-{i}", host: false, null, ct).ConfigureAwait(false);
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                finally
                {
                    slots.Release();
                }
            })).ConfigureAwait(false);
        }
        finally
        {
            // Removal is not timed; a few at a time so containerd is not swamped.
            using var removals = new SemaphoreSlim(4);
            await Task.WhenAll(Enumerable.Range(0, pods).Select(async i =>
            {
                await removals.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    if (sandboxes[i] is { } id)
                    {
                        await RemoveAsync(cri, id, ct).ConfigureAwait(false);
                    }

                    if (logs[i] is { } log && Directory.Exists(log))
                    {
                        Directory.Delete(log, recursive: true);
                    }
                }
                finally
                {
                    removals.Release();
                }
            })).ConfigureAwait(false);
        }

        var wall = latencies.Max() / 1000;
        var summary = LatencySummary.Of(latencies);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| {(concurrency >= pods ? "all" : concurrency.ToString(CultureInfo.InvariantCulture))} | {wall:F1} | {pods / wall:F1} | {latencies.Min():F0} | {summary.P50:F0} | {summary.P99:F0} |");
    }

    private async Task StartAndRemoveAsync(
        CriClient cri, PodSandboxConfigBuilder sandboxBuilder, string name, bool host, Dictionary<string, List<double>> samples, CancellationToken ct)
    {
        var (sandboxId, logDirectory) = await StartAsync(cri, sandboxBuilder, name, host, samples, ct).ConfigureAwait(false);
        try
        {
            await RemoveAsync(cri, sandboxId, ct).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(logDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Starts one pod in the kubelet's order, recording each step in <paramref name="samples"/> when given; returns its
    /// sandbox id and log directory. A pod that fails after its sandbox started is removed again before the error surfaces.
    /// </summary>
    private async Task<(string SandboxId, string LogDirectory)> StartAsync(
        CriClient cri, PodSandboxConfigBuilder sandboxBuilder, string name, bool host, Dictionary<string, List<double>>? samples, CancellationToken ct)
    {
        var container = new V1Container { Name = "sleep", Image = image, ImagePullPolicy = "IfNotPresent", Command = ["sleep", "3600"] };
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace, Uid = Guid.NewGuid().ToString() },
            Spec = new V1PodSpec { HostNetwork = host, Containers = [container], TerminationGracePeriodSeconds = 0 },
        };
        var sandboxConfig = sandboxBuilder.Build(pod);
        Directory.CreateDirectory(Path.Combine(sandboxConfig.LogDirectory, container.Name));
        var podStart = Stopwatch.GetTimestamp();
        var step = Stopwatch.GetTimestamp();
        var sandboxId = await cri.RunPodSandboxAsync(sandboxConfig, "", ct).ConfigureAwait(false);
        try
        {
            step = Record(samples, "RunPodSandbox", step);
            var sandbox = await cri.PodSandboxStatusAsync(sandboxId, verbose: false, ct).ConfigureAwait(false);
            step = Record(samples, "PodSandboxStatus", step);
            _ = await cri.ImageStatusAsync(image, ct).ConfigureAwait(false);
            step = Record(samples, "ImageStatus", step);
            var network = new PodNetworkInfo(string.IsNullOrEmpty(sandbox.Status.Network?.Ip) ? null : sandbox.Status.Network.Ip, null);
            var config = new ContainerConfigBuilder().Build(pod, container, 0, network);
            var containerId = await cri.CreateContainerAsync(sandboxId, config, sandboxConfig, ct).ConfigureAwait(false);
            step = Record(samples, "CreateContainer", step);
            await cri.StartContainerAsync(containerId, ct).ConfigureAwait(false);
            step = Record(samples, "StartContainer", step);
            if (samples is not null)
            {
                await ReadStatusAsync(cri, pod.Metadata.Uid, ct).ConfigureAwait(false);
                Record(samples, "status read", step);
                Record(samples, "pod total", podStart);
            }
        }
        catch
        {
            await RemoveAsync(cri, sandboxId, ct).ConfigureAwait(false);
            throw;
        }

        return (sandboxId, sandboxConfig.LogDirectory);
    }

    /// <summary>What the kubelet reads for one pod's status: its sandboxes and containers by UID label, and each one's status.</summary>
    private static async Task ReadStatusAsync(CriClient cri, string uid, CancellationToken ct)
    {
        var sandboxFilter = new PodSandboxFilter();
        sandboxFilter.LabelSelector[KubernetesLabels.PodUid] = uid;
        foreach (var sandbox in await cri.ListPodSandboxAsync(sandboxFilter, ct).ConfigureAwait(false))
        {
            await cri.PodSandboxStatusAsync(sandbox.Id, verbose: false, ct).ConfigureAwait(false);
        }

        var containerFilter = new ContainerFilter();
        containerFilter.LabelSelector[KubernetesLabels.PodUid] = uid;
        foreach (var container in await cri.ListContainersAsync(containerFilter, ct).ConfigureAwait(false))
        {
            await cri.ContainerStatusAsync(container.Id, verbose: false, ct).ConfigureAwait(false);
        }
    }

    private static async Task RemoveAsync(CriClient cri, string sandboxId, CancellationToken ct)
    {
        var filter = new ContainerFilter { PodSandboxId = sandboxId };
        foreach (var container in await cri.ListContainersAsync(filter, ct).ConfigureAwait(false))
        {
            await cri.StopContainerAsync(container.Id, TimeSpan.Zero, ct).ConfigureAwait(false);
            await cri.RemoveContainerAsync(container.Id, ct).ConfigureAwait(false);
        }

        await cri.StopPodSandboxAsync(sandboxId, ct).ConfigureAwait(false);
        await cri.RemovePodSandboxAsync(sandboxId, ct).ConfigureAwait(false);
    }

    private static long Record(Dictionary<string, List<double>>? samples, string step, long since)
    {
        var now = Stopwatch.GetTimestamp();
        if (samples is null)
        {
            return now;
        }

        lock (samples)
        {
            if (!samples.TryGetValue(step, out var values))
            {
                samples[step] = values = [];
            }

            values.Add(Stopwatch.GetElapsedTime(since, now).TotalMilliseconds);
        }

        return now;
    }
}
