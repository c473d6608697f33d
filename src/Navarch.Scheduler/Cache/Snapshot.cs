using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Cache;

/// <summary>
/// The nodes one scheduling cycle sees: clones of the cache's NodeInfos, refreshed incrementally by
/// <see cref="SchedulerCache.UpdateSnapshot"/> and never changed while a cycle reads them.
/// </summary>
public sealed class Snapshot : INodeInfoLister
{
    internal readonly Dictionary<string, NodeInfo> Map = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, int> Index = new(StringComparer.Ordinal);
    internal readonly List<NodeInfo> Nodes = [];
    internal readonly List<NodeInfo> WithAffinity = [];
    internal readonly List<NodeInfo> WithRequiredAntiAffinity = [];

    /// <summary>The highest cache generation copied in; nodes with a higher one have changed since.</summary>
    public long Generation { get; internal set; }

    public int NumNodes => Nodes.Count;

    /// <summary>A snapshot of fixed NodeInfos, for tests and simulations.</summary>
    public static Snapshot From(IEnumerable<NodeInfo> nodes)
    {
        var snapshot = new Snapshot();
        foreach (var node in nodes) snapshot.Map[node.Name] = node;
        snapshot.RebuildList();
        snapshot.RebuildAffinityLists();
        return snapshot;
    }

    public IReadOnlyList<NodeInfo> List() => Nodes;

    public IReadOnlyList<NodeInfo> HavePodsWithAffinity() => WithAffinity;

    public IReadOnlyList<NodeInfo> HavePodsWithRequiredAntiAffinity() => WithRequiredAntiAffinity;

    public NodeInfo? Get(string nodeName) => Map.TryGetValue(nodeName, out var info) ? info : null;

    internal void RebuildList()
    {
        Nodes.Clear();
        Index.Clear();
        foreach (var (name, info) in Map)
        {
            Index[name] = Nodes.Count;
            Nodes.Add(info);
        }
    }

    internal void RebuildAffinityLists()
    {
        WithAffinity.Clear();
        WithRequiredAntiAffinity.Clear();
        foreach (var info in Nodes)
        {
            if (info.PodsWithAffinity.Count > 0) WithAffinity.Add(info);
            if (info.PodsWithRequiredAntiAffinity.Count > 0) WithRequiredAntiAffinity.Add(info);
        }
    }

    /// <summary>Puts a fresh clone in place of the node's entry without rebuilding the whole list.</summary>
    internal void Replace(NodeInfo clone)
    {
        Map[clone.Name] = clone;
        if (Index.TryGetValue(clone.Name, out var i)) Nodes[i] = clone;
    }
}
