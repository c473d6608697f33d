using k8s.Models;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>What one sync pass of a pod found out besides the runtime's state: waiting reasons and when to look again.</summary>
internal sealed class SyncPass(V1Pod pod)
{
    public V1Pod Pod { get; } = pod;

    public Dictionary<string, ContainerWaitingReason> Waiting { get; } = [];

    public TimeSpan? RequeueAfter { get; private set; }

    /// <summary>Asks for another pass within <paramref name="after"/>; the soonest request wins.</summary>
    public void Retry(TimeSpan after)
    {
        if (after < TimeSpan.Zero)
        {
            after = TimeSpan.Zero;
        }

        if (RequeueAfter is null || after < RequeueAfter)
        {
            RequeueAfter = after;
        }
    }
}
