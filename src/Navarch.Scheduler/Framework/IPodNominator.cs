using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Pods nominated to nodes by preemption, which Filter must count as if they already ran there.</summary>
public interface IPodNominator
{
    IReadOnlyList<PodInfo> NominatedPodsForNode(string nodeName);

    void AddNominatedPod(PodInfo pod, string nodeName);

    void DeleteNominatedPodIfExists(V1Pod pod);
}
