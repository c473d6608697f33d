using System.Text.Json;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Server;

/// <summary>
/// <c>GET /stats/summary</c> in the kubelet's Summary API shape (<c>node</c> and <c>pods</c>, with <c>podRef</c>,
/// <c>containers[].cpu</c>/<c>memory</c>): the node from <c>/proc</c>, the pods and containers from the runtime's
/// <c>ListContainerStats</c>, as the kubelet's CRI stats provider does.
/// </summary>
internal sealed class StatsSummaryWriter(CriClient cri, NodeStatsProbe probe, string nodeName, string? filesystemRoot, TimeProvider time)
{
    public async Task WriteAsync(Stream output, CancellationToken cancellationToken)
    {
        var sandboxes = await cri.ListPodSandboxAsync(
            new PodSandboxFilter { State = new PodSandboxStateValue { State = PodSandboxState.SandboxReady } }, cancellationToken).ConfigureAwait(false);
        var containers = await cri.ListContainersAsync(
            new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } }, cancellationToken).ConfigureAwait(false);
        var stats = (await cri.ListContainerStatsAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(s => s.Attributes is not null)
            .ToDictionary(s => s.Attributes.Id, StringComparer.Ordinal);
        IReadOnlyList<FilesystemUsage> imageFs;
        try
        {
            imageFs = await cri.ImageFsInfoAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Grpc.Core.RpcException)
        {
            imageFs = [];
        }

        var now = time.GetUtcNow();
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        WriteNode(json, imageFs, now);
        json.WriteStartArray("pods");
        foreach (var sandbox in sandboxes)
        {
            WritePod(json, sandbox, containers.Where(c => c.PodSandboxId == sandbox.Id), stats, now);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void WriteNode(Utf8JsonWriter json, IReadOnlyList<FilesystemUsage> imageFs, DateTimeOffset now)
    {
        json.WriteStartObject("node");
        json.WriteString("nodeName", nodeName);
        json.WriteStartArray("systemContainers");
        json.WriteEndArray();
        if (probe.Cpu() is { } cpu)
        {
            json.WriteStartObject("cpu");
            json.WriteString("time", now);
            if (cpu.UsageNanoCores is { } rate) json.WriteNumber("usageNanoCores", rate);
            json.WriteNumber("usageCoreNanoSeconds", cpu.UsageCoreNanoSeconds);
            json.WriteEndObject();
        }

        if (NodeStatsProbe.Memory() is { } memory)
        {
            json.WriteStartObject("memory");
            json.WriteString("time", now);
            json.WriteNumber("availableBytes", memory.AvailableBytes);
            json.WriteNumber("usageBytes", memory.TotalBytes - memory.FreeBytes);
            json.WriteNumber("workingSetBytes", memory.TotalBytes - memory.AvailableBytes);
            json.WriteEndObject();
        }

        if (NodeStatsProbe.Filesystem(filesystemRoot) is { } fs)
        {
            json.WriteStartObject("fs");
            WriteFilesystem(json, fs, now);
            json.WriteEndObject();
        }

        json.WriteStartObject("runtime");
        if (imageFs.Count > 0)
        {
            var usage = imageFs[0];
            json.WriteStartObject("imageFs");
            json.WriteString("time", now);
            if (NodeStatsProbe.Filesystem(usage.FsId?.Mountpoint) is { } imageDisk)
            {
                json.WriteNumber("availableBytes", imageDisk.AvailableBytes);
                json.WriteNumber("capacityBytes", imageDisk.CapacityBytes);
            }

            if (usage.UsedBytes is not null) json.WriteNumber("usedBytes", usage.UsedBytes.Value);
            if (usage.InodesUsed is not null) json.WriteNumber("inodesUsed", usage.InodesUsed.Value);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteFilesystem(Utf8JsonWriter json, NodeStatsProbe.FilesystemSample fs, DateTimeOffset now)
    {
        json.WriteString("time", now);
        json.WriteNumber("availableBytes", fs.AvailableBytes);
        json.WriteNumber("capacityBytes", fs.CapacityBytes);
        json.WriteNumber("usedBytes", fs.UsedBytes);
    }

    private static void WritePod(
        Utf8JsonWriter json, PodSandbox sandbox, IEnumerable<Container> containers, Dictionary<string, ContainerStats> stats, DateTimeOffset now)
    {
        json.WriteStartObject();
        json.WriteStartObject("podRef");
        json.WriteString("name", Label(sandbox, KubernetesLabels.PodName) ?? sandbox.Metadata?.Name ?? "");
        json.WriteString("namespace", Label(sandbox, KubernetesLabels.PodNamespace) ?? sandbox.Metadata?.Namespace ?? "");
        json.WriteString("uid", Label(sandbox, KubernetesLabels.PodUid) ?? sandbox.Metadata?.Uid ?? "");
        json.WriteEndObject();
        json.WriteString("startTime", DateTimeOffset.FromUnixTimeMilliseconds(sandbox.CreatedAt / 1_000_000));

        ulong cpuNanoSeconds = 0, cpuNanoCores = 0, workingSet = 0, usage = 0;
        json.WriteStartArray("containers");
        foreach (var container in containers)
        {
            stats.TryGetValue(container.Id, out var stat);
            json.WriteStartObject();
            json.WriteString("name", container.Metadata?.Name ?? "");
            json.WriteString("startTime", DateTimeOffset.FromUnixTimeMilliseconds(container.CreatedAt / 1_000_000));
            json.WriteStartObject("cpu");
            json.WriteString("time", Time(stat?.Cpu?.Timestamp, now));
            if (stat?.Cpu?.UsageNanoCores is { } cores)
            {
                json.WriteNumber("usageNanoCores", cores.Value);
                cpuNanoCores += cores.Value;
            }

            if (stat?.Cpu?.UsageCoreNanoSeconds is { } seconds)
            {
                json.WriteNumber("usageCoreNanoSeconds", seconds.Value);
                cpuNanoSeconds += seconds.Value;
            }

            json.WriteEndObject();
            json.WriteStartObject("memory");
            json.WriteString("time", Time(stat?.Memory?.Timestamp, now));
            if (stat?.Memory?.WorkingSetBytes is { } working)
            {
                json.WriteNumber("workingSetBytes", working.Value);
                workingSet += working.Value;
            }

            if (stat?.Memory?.UsageBytes is { } used)
            {
                json.WriteNumber("usageBytes", used.Value);
                usage += used.Value;
            }

            if (stat?.Memory?.RssBytes is { } rss) json.WriteNumber("rssBytes", rss.Value);
            json.WriteEndObject();
            if (stat?.WritableLayer?.UsedBytes is { } rootfs)
            {
                json.WriteStartObject("rootfs");
                json.WriteString("time", Time(stat.WritableLayer.Timestamp, now));
                json.WriteNumber("usedBytes", rootfs.Value);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        // The pod's totals are its containers' sums, as the CRI stats provider computes them without cAdvisor.
        json.WriteStartObject("cpu");
        json.WriteString("time", now);
        json.WriteNumber("usageNanoCores", cpuNanoCores);
        json.WriteNumber("usageCoreNanoSeconds", cpuNanoSeconds);
        json.WriteEndObject();
        json.WriteStartObject("memory");
        json.WriteString("time", now);
        json.WriteNumber("usageBytes", usage);
        json.WriteNumber("workingSetBytes", workingSet);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string? Label(PodSandbox sandbox, string key) => sandbox.Labels.TryGetValue(key, out var value) ? value : null;

    private static DateTimeOffset Time(long? unixNanoseconds, DateTimeOffset fallback) =>
        unixNanoseconds is > 0 and { } nanoseconds ? DateTimeOffset.FromUnixTimeMilliseconds(nanoseconds / 1_000_000) : fallback;
}
