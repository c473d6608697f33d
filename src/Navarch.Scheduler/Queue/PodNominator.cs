using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Queue;

/// <summary>
/// Pods nominated to a node by preemption (status.nominatedNodeName), by node, as kube-scheduler's nominator:
/// Filter counts them on their node so the room preemption freed is not taken by lower-priority pods.
/// </summary>
public sealed class PodNominator : IPodNominator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<PodInfo>> _byNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeByUid = new(StringComparer.Ordinal);

    public IReadOnlyList<PodInfo> NominatedPodsForNode(string nodeName)
    {
        lock (_lock)
        {
            return _byNode.TryGetValue(nodeName, out var pods) ? [.. pods] : [];
        }
    }

    /// <summary>Nominates the pod to <paramref name="nodeName"/>, or to its status.nominatedNodeName when empty.</summary>
    public void AddNominatedPod(PodInfo pod, string nodeName)
    {
        if (string.IsNullOrEmpty(nodeName)) nodeName = pod.Pod.Status?.NominatedNodeName ?? string.Empty;
        lock (_lock)
        {
            DeleteLocked(pod.Uid);
            if (string.IsNullOrEmpty(nodeName)) return;
            if (!_byNode.TryGetValue(nodeName, out var pods)) _byNode[nodeName] = pods = [];
            pods.Add(pod);
            _nodeByUid[pod.Uid] = nodeName;
        }
    }

    /// <summary>
    /// Follows a pod update: keeps the nomination made by this scheduler unless the update sets or clears
    /// status.nominatedNodeName itself, as kube-scheduler's UpdateNominatedPod.
    /// </summary>
    public void UpdateNominatedPod(V1Pod oldPod, PodInfo newPod)
    {
        lock (_lock)
        {
            var nodeName = string.Empty;
            var oldNominated = oldPod.Status?.NominatedNodeName ?? string.Empty;
            var newNominated = newPod.Pod.Status?.NominatedNodeName ?? string.Empty;
            if (newNominated.Length == 0 && oldNominated.Length == 0 && _nodeByUid.TryGetValue(newPod.Uid, out var kept))
            {
                nodeName = kept;
            }

            if (nodeName.Length == 0 && newNominated.Length == 0 && !_nodeByUid.ContainsKey(newPod.Uid)) return;
            DeleteLocked(newPod.Uid);
            nodeName = nodeName.Length > 0 ? nodeName : newNominated;
            if (nodeName.Length == 0) return;
            if (!_byNode.TryGetValue(nodeName, out var pods)) _byNode[nodeName] = pods = [];
            pods.Add(newPod);
            _nodeByUid[newPod.Uid] = nodeName;
        }
    }

    public void DeleteNominatedPodIfExists(V1Pod pod)
    {
        lock (_lock) DeleteLocked(pod.Metadata?.Uid ?? string.Empty);
    }

    /// <summary>The node the pod is nominated to, if any.</summary>
    public string? NominatedNodeOf(V1Pod pod)
    {
        lock (_lock) return _nodeByUid.TryGetValue(pod.Metadata?.Uid ?? string.Empty, out var node) ? node : null;
    }

    private void DeleteLocked(string uid)
    {
        if (!_nodeByUid.Remove(uid, out var nodeName)) return;
        if (!_byNode.TryGetValue(nodeName, out var pods)) return;
        pods.RemoveAll(p => p.Uid == uid);
        if (pods.Count == 0) _byNode.Remove(nodeName);
    }
}
