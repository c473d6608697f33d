using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Gc;

/// <summary>
/// Removes dead containers and sandboxes as the kubelet's container GC does: of each (pod, container name) only the
/// newest <see cref="ContainerGcOptions.MaxPerPodContainer"/> exited containers stay; every exited container of a pod no
/// longer on the node goes; sandboxes that are not ready and hold no container go, except each live pod's newest.
/// Running containers are never touched: stopping them is the pod workers' business. Containers younger than
/// <see cref="ContainerGcOptions.MinAge"/> stay.
/// </summary>
/// <param name="livePodUids">
/// The UIDs of the pods bound to this node now. Call only once that view is complete (the pod informer has synced),
/// as the kubelet waits for all its pod sources: an empty set would make every pod look deleted.
/// </param>
public sealed class ContainerGarbageCollector(
    CriClient cri, ContainerGcOptions options, Func<IReadOnlySet<string>> livePodUids, TimeProvider time, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public async Task<GcResult> CollectAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        var live = livePodUids();
        var newestRemovable = time.GetUtcNow() - options.MinAge;
        var sandboxes = await cri.ListPodSandboxAsync(null, cancellationToken).ConfigureAwait(false);
        var containers = await cri.ListContainersAsync(null, cancellationToken).ConfigureAwait(false);
        var sandboxPods = sandboxes.ToDictionary(sandbox => sandbox.Id, PodUid, StringComparer.Ordinal);

        var removedContainers = new List<string>();
        var errors = new List<string>();
        var evictable = containers
            .Where(c => c.State != ContainerState.ContainerRunning && FromUnixNanos(c.CreatedAt) <= newestRemovable)
            .GroupBy(c => (Pod: PodUid(c, sandboxPods), Name: ContainerName(c)));
        foreach (var unit in evictable)
        {
            var newestFirst = unit.OrderByDescending(c => c.CreatedAt).ToList();
            var keep = live.Contains(unit.Key.Pod) ? options.MaxPerPodContainer : 0;
            foreach (var container in newestFirst.Skip(keep))
            {
                if (await TryAsync(() => RemoveContainerAsync(container.Id, cancellationToken), "container", container.Id, errors).ConfigureAwait(false))
                {
                    removedContainers.Add(container.Id);
                }
            }
        }

        var removed = removedContainers.ToHashSet(StringComparer.Ordinal);
        var occupied = containers.Where(c => !removed.Contains(c.Id)).Select(c => c.PodSandboxId).ToHashSet(StringComparer.Ordinal);
        var removedSandboxes = new List<string>();
        foreach (var pod in sandboxes.GroupBy(PodUid))
        {
            // A live pod keeps its newest sandbox even when it is not ready: the pod worker recreates from it.
            var candidates = pod.OrderByDescending(s => s.CreatedAt).Skip(live.Contains(pod.Key) ? 1 : 0);
            foreach (var sandbox in candidates)
            {
                if (sandbox.State == PodSandboxState.SandboxReady || occupied.Contains(sandbox.Id) || FromUnixNanos(sandbox.CreatedAt) > newestRemovable)
                {
                    continue;
                }

                if (await TryAsync(() => cri.RemovePodSandboxAsync(sandbox.Id, cancellationToken), "sandbox", sandbox.Id, errors).ConfigureAwait(false))
                {
                    removedSandboxes.Add(sandbox.Id);
                }
            }
        }

        RemovePodLogDirectories(live, sandboxes.Where(s => !removedSandboxes.Contains(s.Id)).Select(PodUid).ToHashSet(StringComparer.Ordinal), errors);
        if (removedContainers.Count > 0 || removedSandboxes.Count > 0)
        {
            GcLog.ContainersCollected(_logger, removedContainers.Count, removedSandboxes.Count);
        }

        return new GcResult(removedContainers, removedSandboxes, [], 0, errors);
    }

    /// <summary>As the kubelet's removeContainer: the log files first (the runtime leaves them), then the container.</summary>
    private async Task RemoveContainerAsync(string id, CancellationToken cancellationToken)
    {
        var status = await cri.ContainerStatusAsync(id, verbose: false, cancellationToken).ConfigureAwait(false);
        if (status.Status?.LogPath is { Length: > 0 } logPath)
        {
            File.Delete(logPath);
            foreach (var rotated in Logs.ContainerLogRotator.RotatedFiles(logPath))
            {
                File.Delete(rotated);
            }
        }

        await cri.RemoveContainerAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As the kubelet's evictPodLogsDirectories: a pod's log directory goes once the pod is gone and no sandbox of it is left.</summary>
    private void RemovePodLogDirectories(IReadOnlySet<string> live, HashSet<string> podsWithSandboxes, List<string> errors)
    {
        if (options.PodLogsDirectory is not { } root || !Directory.Exists(root))
        {
            return;
        }

        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(directory);
            var underscore = name.LastIndexOf('_');
            if (underscore < 0)
            {
                continue;
            }

            var uid = name[(underscore + 1)..];
            if (live.Contains(uid) || podsWithSandboxes.Contains(uid))
            {
                continue;
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                GcLog.RemoveFailed(_logger, "pod log directory", directory, e);
                errors.Add($"failed to remove pod log directory {directory}: {e.Message}");
            }
        }
    }

    private async Task<bool> TryAsync(Func<Task> remove, string kind, string id, List<string> errors)
    {
        try
        {
            await remove().ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Removed meanwhile (by the pod worker): what GC wanted.
            return true;
        }
        catch (RpcException e)
        {
            GcLog.RemoveFailed(_logger, kind, id, e);
            errors.Add($"failed to remove {kind} {id}: rpc error: code = {e.StatusCode} desc = {e.Status.Detail}");
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            GcLog.RemoveFailed(_logger, kind, id, e);
            errors.Add($"failed to remove the log of {kind} {id}: {e.Message}");
            return false;
        }
    }

    private static string PodUid(PodSandbox sandbox) =>
        sandbox.Labels.TryGetValue(KubernetesLabels.PodUid, out var uid) ? uid : sandbox.Metadata?.Uid ?? string.Empty;

    private static string PodUid(Container container, Dictionary<string, string> sandboxPods) =>
        container.Labels.TryGetValue(KubernetesLabels.PodUid, out var uid) ? uid
        : sandboxPods.TryGetValue(container.PodSandboxId, out var sandboxUid) ? sandboxUid
        : string.Empty;

    private static string ContainerName(Container container) =>
        container.Labels.TryGetValue(KubernetesLabels.ContainerName, out var name) ? name : container.Metadata?.Name ?? string.Empty;

    private static DateTimeOffset FromUnixNanos(long nanos) => DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);
}
