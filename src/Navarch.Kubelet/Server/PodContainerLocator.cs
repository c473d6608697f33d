using System.Globalization;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Server;

/// <summary>
/// Finds a pod's sandbox and a container's attempts in the runtime by the labels the kubelet put on them
/// (<see cref="KubernetesLabels"/>), so the API needs no pod cache of its own.
/// </summary>
internal sealed class PodContainerLocator(CriClient cri)
{
    /// <summary>The pod's newest sandbox, ready ones first; null when the runtime has none for that pod.</summary>
    public async Task<PodSandbox?> FindSandboxAsync(string ns, string pod, CancellationToken cancellationToken)
    {
        var filter = new PodSandboxFilter();
        filter.LabelSelector[KubernetesLabels.PodNamespace] = ns;
        filter.LabelSelector[KubernetesLabels.PodName] = pod;
        var sandboxes = await cri.ListPodSandboxAsync(filter, cancellationToken).ConfigureAwait(false);
        PodSandbox? best = null;
        foreach (var sandbox in sandboxes)
        {
            if (best is null || Better(sandbox, best)) best = sandbox;
        }

        return best;

        static bool Better(PodSandbox candidate, PodSandbox current)
        {
            var candidateReady = candidate.State == PodSandboxState.SandboxReady;
            var currentReady = current.State == PodSandboxState.SandboxReady;
            return candidateReady != currentReady ? candidateReady : candidate.CreatedAt > current.CreatedAt;
        }
    }

    /// <summary>The container's attempts in the pod (same UID as <paramref name="sandbox"/>), oldest first.</summary>
    public async Task<IReadOnlyList<Container>> ListAttemptsAsync(PodSandbox sandbox, string container, CancellationToken cancellationToken)
    {
        var filter = new ContainerFilter();
        filter.LabelSelector[KubernetesLabels.PodNamespace] = sandbox.Metadata.Namespace;
        filter.LabelSelector[KubernetesLabels.PodName] = sandbox.Metadata.Name;
        filter.LabelSelector[KubernetesLabels.ContainerName] = container;
        if (sandbox.Labels.TryGetValue(KubernetesLabels.PodUid, out var uid))
        {
            filter.LabelSelector[KubernetesLabels.PodUid] = uid;
        }

        var attempts = (await cri.ListContainersAsync(filter, cancellationToken).ConfigureAwait(false)).ToList();
        attempts.Sort(static (a, b) =>
        {
            var byRestart = RestartCount(a).CompareTo(RestartCount(b));
            return byRestart != 0 ? byRestart : a.CreatedAt.CompareTo(b.CreatedAt);
        });
        return attempts;
    }

    private static long RestartCount(Container container) =>
        container.Annotations.TryGetValue(KubernetesLabels.ContainerRestartCount, out var text)
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : container.Metadata?.Attempt ?? 0;
}
