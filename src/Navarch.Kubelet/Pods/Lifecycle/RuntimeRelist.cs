using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>
/// One listing of every sandbox and container on the node, shared by all pod workers, as the kubelet's PLEG relists
/// once per period instead of once per pod: a worker takes the latest listing when it started after the worker's own
/// last change and is at most <c>maxAge</c> old, joins one in flight that qualifies, or starts a new one.
/// </summary>
public sealed class RuntimeRelist(CriClient cri, TimeSpan maxAge, TimeProvider time)
{
    private readonly Lock _lock = new();
    private Snapshot? _latest;
    private Task<Snapshot>? _inflight;
    private long _inflightStartedAt;

    /// <summary>The pod's sandboxes and containers from a listing that started at or after <paramref name="notBefore"/> (a <see cref="TimeProvider.GetTimestamp"/> value).</summary>
    internal async Task<(IReadOnlyList<PodSandbox> Sandboxes, IReadOnlyList<Container> Containers)> ForPodAsync(
        string podUid, long notBefore, CancellationToken cancellationToken)
    {
        Task<Snapshot> task;
        lock (_lock)
        {
            if (_latest is { } latest && latest.StartedAt >= notBefore && time.GetElapsedTime(latest.StartedAt) <= maxAge)
            {
                return latest.For(podUid);
            }

            if (_inflight is not null && _inflightStartedAt >= notBefore)
            {
                task = _inflight;
            }
            else
            {
                _inflightStartedAt = time.GetTimestamp();
                // Shared by every waiting worker, so no one worker's token may cancel it; the CRI client's deadline bounds it.
                task = _inflight = RelistAsync(_inflightStartedAt);
            }
        }

        return (await task.WaitAsync(cancellationToken).ConfigureAwait(false)).For(podUid);
    }

    private async Task<Snapshot> RelistAsync(long startedAt)
    {
        await Task.Yield();
        try
        {
            var sandboxes = await cri.ListPodSandboxAsync(null, CancellationToken.None).ConfigureAwait(false);
            var containers = await cri.ListContainersAsync(null, CancellationToken.None).ConfigureAwait(false);
            var snapshot = new Snapshot(
                startedAt,
                sandboxes.ToLookup(sandbox => sandbox.Labels.GetValueOrDefault(KubernetesLabels.PodUid) ?? string.Empty),
                containers.ToLookup(container => container.Labels.GetValueOrDefault(KubernetesLabels.PodUid) ?? string.Empty));
            lock (_lock)
            {
                if (_latest is null || _latest.StartedAt < startedAt)
                {
                    _latest = snapshot;
                }
            }

            return snapshot;
        }
        finally
        {
            lock (_lock)
            {
                if (_inflightStartedAt == startedAt)
                {
                    _inflight = null;
                }
            }
        }
    }

    private sealed record Snapshot(long StartedAt, ILookup<string, PodSandbox> Sandboxes, ILookup<string, Container> Containers)
    {
        public (IReadOnlyList<PodSandbox>, IReadOnlyList<Container>) For(string podUid) =>
            (Sandboxes[podUid].ToList(), Containers[podUid].ToList());
    }
}
