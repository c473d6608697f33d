using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>What the runtime has of one pod at one moment (the kubelet's kubecontainer.PodStatus).</summary>
/// <param name="Sandbox">The pod's newest sandbox, or null when it has none.</param>
/// <param name="SandboxStatus">That sandbox's status (state, IPs), or null.</param>
/// <param name="Sandboxes">Every sandbox of the pod, the newest included.</param>
/// <param name="Containers">The status of every container of the pod, any attempt, any sandbox.</param>
public sealed record RuntimePodState(
    PodSandbox? Sandbox,
    PodSandboxStatus? SandboxStatus,
    IReadOnlyList<PodSandbox> Sandboxes,
    IReadOnlyList<ContainerStatus> Containers)
{
    public bool SandboxReady => Sandbox?.State == PodSandboxState.SandboxReady;

    /// <summary>The container's attempts, newest first.</summary>
    public List<ContainerStatus> AttemptsOf(string name)
    {
        var attempts = new List<ContainerStatus>();
        foreach (var container in Containers)
        {
            if (container.Metadata?.Name == name)
            {
                attempts.Add(container);
            }
        }

        attempts.Sort((a, b) => b.CreatedAt.CompareTo(a.CreatedAt));
        return attempts;
    }

    public ContainerStatus? LatestOf(string name)
    {
        ContainerStatus? latest = null;
        foreach (var container in Containers)
        {
            if (container.Metadata?.Name == name && (latest is null || container.CreatedAt > latest.CreatedAt))
            {
                latest = container;
            }
        }

        return latest;
    }
}
