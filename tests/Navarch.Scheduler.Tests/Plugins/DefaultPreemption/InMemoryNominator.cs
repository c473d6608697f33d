using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Tests.Plugins.DefaultPreemption;

/// <summary>Nominated pods by node, for plugin tests.</summary>
internal sealed class InMemoryNominator : IPodNominator
{
    private readonly Dictionary<string, List<PodInfo>> _byNode = new(StringComparer.Ordinal);

    public IReadOnlyList<PodInfo> NominatedPodsForNode(string nodeName) =>
        _byNode.TryGetValue(nodeName, out var pods) ? pods.ToList() : [];

    public void AddNominatedPod(PodInfo pod, string nodeName)
    {
        DeleteNominatedPodIfExists(pod.Pod);
        if (!_byNode.TryGetValue(nodeName, out var pods)) _byNode[nodeName] = pods = [];
        pods.Add(pod);
    }

    public void DeleteNominatedPodIfExists(V1Pod pod)
    {
        foreach (var pods in _byNode.Values) pods.RemoveAll(p => p.Uid == pod.Metadata?.Uid);
    }
}
