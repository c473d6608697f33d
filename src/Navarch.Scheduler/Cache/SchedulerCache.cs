using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Cache;

/// <summary>
/// The scheduler's view of nodes and the pods on them, as kube-scheduler's cache: bound pods seen by the
/// informer plus pods assumed on a node while their binding is in flight. Nodes are kept in a list ordered by
/// last change, so <see cref="UpdateSnapshot"/> copies only what changed since the previous cycle.
/// Thread-safe: informer events arrive on other threads than the scheduling loop.
/// </summary>
public sealed class SchedulerCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeItem> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodState> _pods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _assumed = new(StringComparer.Ordinal);
    private NodeItem? _head;
    private long _generation;
    private int _nodeCount;

    /// <summary>Nodes known with their Node object (what a snapshot lists).</summary>
    public int NodeCount
    {
        get
        {
            lock (_lock) return _nodeCount;
        }
    }

    public int PodCount
    {
        get
        {
            lock (_lock) return _pods.Count;
        }
    }

    public int AssumedPodCount
    {
        get
        {
            lock (_lock) return _assumed.Count;
        }
    }

    /// <summary>Counts the pod on <paramref name="nodeName"/> before its binding is confirmed.</summary>
    public void AssumePod(PodInfo podInfo, string nodeName)
    {
        lock (_lock)
        {
            if (_pods.ContainsKey(podInfo.Uid))
            {
                throw new InvalidOperationException($"pod {podInfo.Key}({podInfo.Uid}) is in the cache, so can't be assumed");
            }

            AddPodLocked(podInfo, nodeName);
            _pods[podInfo.Uid] = new PodState(podInfo, nodeName);
            _assumed.Add(podInfo.Uid);
        }
    }

    /// <summary>Marks the binding of an assumed pod as sent; the informer's Add confirms it.</summary>
    public void FinishBinding(V1Pod pod)
    {
        lock (_lock)
        {
            if (_pods.TryGetValue(pod.Metadata?.Uid ?? string.Empty, out var state)) state.BindingFinished = true;
        }
    }

    /// <summary>Drops an assumed pod (its binding failed); no effect on a confirmed pod.</summary>
    public void ForgetPod(V1Pod pod)
    {
        var uid = pod.Metadata?.Uid ?? string.Empty;
        lock (_lock)
        {
            if (!_assumed.Contains(uid) || !_pods.TryGetValue(uid, out var state)) return;
            RemovePodLocked(state.PodInfo.Pod, state.NodeName);
            _pods.Remove(uid);
            _assumed.Remove(uid);
        }
    }

    public bool IsAssumedPod(V1Pod pod)
    {
        lock (_lock) return _assumed.Contains(pod.Metadata?.Uid ?? string.Empty);
    }

    /// <summary>True when the pod (by UID) is counted on some node, assumed or bound.</summary>
    public bool Contains(V1Pod pod)
    {
        lock (_lock) return _pods.ContainsKey(pod.Metadata?.Uid ?? string.Empty);
    }

    /// <summary>A bound pod observed by the informer; it confirms the assumed pod with the same UID.</summary>
    public void AddPod(V1Pod pod)
    {
        var uid = pod.Metadata?.Uid ?? string.Empty;
        var nodeName = pod.Spec?.NodeName ?? string.Empty;
        var info = new PodInfo(pod);
        lock (_lock)
        {
            if (_pods.TryGetValue(uid, out var state))
            {
                // Confirmed (or seen again): count the observed object, on the node it was really bound to.
                RemovePodLocked(state.PodInfo.Pod, state.NodeName);
                _assumed.Remove(uid);
            }

            AddPodLocked(info, nodeName);
            _pods[uid] = new PodState(info, nodeName) { BindingFinished = true };
        }
    }

    public void UpdatePod(V1Pod oldPod, V1Pod newPod)
    {
        var uid = newPod.Metadata?.Uid ?? string.Empty;
        lock (_lock)
        {
            if (_pods.TryGetValue(uid, out var state))
            {
                RemovePodLocked(state.PodInfo.Pod, state.NodeName);
                _pods.Remove(uid);
                _assumed.Remove(uid);
            }
            else if (oldPod.Spec?.NodeName is { Length: > 0 } oldNode)
            {
                RemovePodLocked(oldPod, oldNode);
            }
        }

        AddPod(newPod);
    }

    public void RemovePod(V1Pod pod)
    {
        var uid = pod.Metadata?.Uid ?? string.Empty;
        lock (_lock)
        {
            var nodeName = _pods.TryGetValue(uid, out var state) ? state.NodeName : pod.Spec?.NodeName ?? string.Empty;
            RemovePodLocked(state?.PodInfo.Pod ?? pod, nodeName);
            _pods.Remove(uid);
            _assumed.Remove(uid);
        }
    }

    public void AddNode(V1Node node)
    {
        var name = node.Metadata?.Name ?? string.Empty;
        lock (_lock)
        {
            var item = GetOrCreateLocked(name);
            if (item.Info.Node is null) _nodeCount++;
            item.Info.SetNode(node);
            TouchLocked(item);
        }
    }

    public void UpdateNode(V1Node oldNode, V1Node newNode) => AddNode(newNode);

    /// <summary>
    /// Removes the node. Its pods stay counted until their own deletes arrive (the informer may deliver them
    /// later), but the node no longer appears in snapshots.
    /// </summary>
    public void RemoveNode(V1Node node)
    {
        var name = node.Metadata?.Name ?? string.Empty;
        lock (_lock)
        {
            if (!_nodes.TryGetValue(name, out var item) || item.Info.Node is null) return;
            item.Info.RemoveNode();
            _nodeCount--;
            if (item.Info.Pods.Count == 0)
            {
                Unlink(item);
                _nodes.Remove(name);
            }
            else
            {
                TouchLocked(item);
            }
        }
    }

    /// <summary>
    /// Brings <paramref name="snapshot"/> up to date: clones only nodes whose generation is newer than the
    /// snapshot's (walking the most-recently-changed list until an older one), rebuilding the node list only when
    /// nodes were added or removed, as kube-scheduler's UpdateSnapshot.
    /// </summary>
    public void UpdateSnapshot(Snapshot snapshot)
    {
        lock (_lock)
        {
            var updateAll = false;
            var updateAffinity = false;
            for (var item = _head; item is not null && item.Info.Generation > snapshot.Generation; item = item.Next)
            {
                if (item.Info.Node is null) continue;
                var clone = item.Info.Clone();
                var name = clone.Name;
                if (snapshot.Map.TryGetValue(name, out var existing))
                {
                    if (existing.PodsWithAffinity.Count > 0 || clone.PodsWithAffinity.Count > 0
                        || existing.PodsWithRequiredAntiAffinity.Count > 0 || clone.PodsWithRequiredAntiAffinity.Count > 0)
                    {
                        updateAffinity = true;
                    }

                    snapshot.Replace(clone);
                }
                else
                {
                    snapshot.Map[name] = clone;
                    updateAll = true;
                }
            }

            if (_head is not null) snapshot.Generation = _head.Info.Generation;

            if (snapshot.Map.Count > _nodeCount)
            {
                List<string>? stale = null;
                foreach (var name in snapshot.Map.Keys)
                {
                    if (!_nodes.TryGetValue(name, out var item) || item.Info.Node is null) (stale ??= []).Add(name);
                }

                if (stale is not null)
                {
                    foreach (var name in stale) snapshot.Map.Remove(name);
                }

                updateAll = true;
            }

            if (updateAll) snapshot.RebuildList();
            if (updateAll || updateAffinity) snapshot.RebuildAffinityLists();
        }
    }

    private void AddPodLocked(PodInfo pod, string nodeName)
    {
        var item = GetOrCreateLocked(nodeName);
        item.Info.AddPod(pod);
        TouchLocked(item);
    }

    private void RemovePodLocked(V1Pod pod, string nodeName)
    {
        if (!_nodes.TryGetValue(nodeName, out var item)) return;
        if (!item.Info.RemovePod(pod)) return;
        if (item.Info.Node is null && item.Info.Pods.Count == 0)
        {
            // The node is gone and so is its last pod: nothing left to remember.
            Unlink(item);
            _nodes.Remove(nodeName);
            return;
        }

        TouchLocked(item);
    }

    private NodeItem GetOrCreateLocked(string nodeName)
    {
        if (_nodes.TryGetValue(nodeName, out var item)) return item;
        item = new NodeItem(new NodeInfo());
        _nodes[nodeName] = item;
        return item;
    }

    /// <summary>Bumps the node's generation and moves it to the head of the recently-changed list.</summary>
    private void TouchLocked(NodeItem item)
    {
        item.Info.Generation = ++_generation;
        if (ReferenceEquals(_head, item)) return;
        Unlink(item);
        item.Next = _head;
        if (_head is not null) _head.Prev = item;
        _head = item;
    }

    private void Unlink(NodeItem item)
    {
        if (item.Prev is not null) item.Prev.Next = item.Next;
        if (item.Next is not null) item.Next.Prev = item.Prev;
        if (ReferenceEquals(_head, item)) _head = item.Next;
        item.Prev = null;
        item.Next = null;
    }

    private sealed class NodeItem(NodeInfo info)
    {
        public NodeInfo Info { get; } = info;

        public NodeItem? Prev { get; set; }

        public NodeItem? Next { get; set; }
    }

    private sealed class PodState(PodInfo podInfo, string nodeName)
    {
        public PodInfo PodInfo { get; } = podInfo;

        public string NodeName { get; } = nodeName;

        public bool BindingFinished { get; set; }
    }
}
