using Grpc.Core;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>
/// Reads a pod's sandboxes and containers from the CRI with as few calls as it can, as the kubelet's PLEG relist:
/// one ListPodSandbox and one ListContainers by the pod UID label, and a status call only for a sandbox or container
/// whose state changed since the last look (a state's status does not change while the state holds). With a node-wide
/// <see cref="RuntimeRelist"/>, a routine look reads the shared listing instead; a look right after this pod changed
/// something (<c>fresh</c>) always asks the runtime, and later shared listings must have started after it.
/// </summary>
internal sealed class PodRuntimeObserver(CriClient cri, string podUid, RuntimeRelist? relist, TimeProvider time)
{
    private long _changedAt;

    private readonly Dictionary<string, (ContainerState State, ContainerStatus Status)> _containers = [];
    private (string Id, PodSandboxState State, PodSandboxStatus Status)? _sandbox;

    /// <param name="fresh">The pod was just changed: list it from the runtime now, not from a shared listing.</param>
    public async Task<RuntimePodState> ObserveAsync(bool fresh, CancellationToken cancellationToken)
    {
        IReadOnlyList<PodSandbox> sandboxes;
        IReadOnlyList<Container> listed;
        if (relist is not null && !fresh)
        {
            (sandboxes, listed) = await relist.ForPodAsync(podUid, Volatile.Read(ref _changedAt), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (fresh)
            {
                Volatile.Write(ref _changedAt, time.GetTimestamp());
            }

            var sandboxFilter = new PodSandboxFilter();
            sandboxFilter.LabelSelector[KubernetesLabels.PodUid] = podUid;
            sandboxes = await cri.ListPodSandboxAsync(sandboxFilter, cancellationToken).ConfigureAwait(false);
            var containerFilter = new ContainerFilter();
            containerFilter.LabelSelector[KubernetesLabels.PodUid] = podUid;
            listed = await cri.ListContainersAsync(containerFilter, cancellationToken).ConfigureAwait(false);
        }

        PodSandbox? latest = null;
        foreach (var sandbox in sandboxes)
        {
            if (latest is null || sandbox.CreatedAt > latest.CreatedAt)
            {
                latest = sandbox;
            }
        }

        PodSandboxStatus? sandboxStatus = null;
        if (latest is not null)
        {
            if (_sandbox is { } cached && cached.Id == latest.Id && cached.State == latest.State)
            {
                sandboxStatus = cached.Status;
            }
            else
            {
                try
                {
                    sandboxStatus = (await cri.PodSandboxStatusAsync(latest.Id, verbose: false, cancellationToken).ConfigureAwait(false)).Status;
                    _sandbox = (latest.Id, latest.State, sandboxStatus);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    latest = null;
                }
            }
        }

        var statuses = new List<ContainerStatus>(listed.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in listed)
        {
            seen.Add(container.Id);
            if (_containers.TryGetValue(container.Id, out var cached) && cached.State == container.State)
            {
                statuses.Add(cached.Status);
                continue;
            }

            try
            {
                var status = (await cri.ContainerStatusAsync(container.Id, verbose: false, cancellationToken).ConfigureAwait(false)).Status;
                _containers[container.Id] = (status.State, status);
                statuses.Add(status);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Removed between list and status: it no longer belongs to the pod.
            }
        }

        foreach (var id in _containers.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            _containers.Remove(id);
        }

        return new RuntimePodState(latest, sandboxStatus, sandboxes, statuses);
    }
}
