using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Tests.Plugins.DefaultPreemption;

/// <summary>A fixed snapshot of NodeInfos for plugin tests.</summary>
internal sealed class InMemoryNodeInfoLister(IReadOnlyList<NodeInfo> nodes) : INodeInfoLister
{
    public IReadOnlyList<NodeInfo> List() => nodes;

    public IReadOnlyList<NodeInfo> HavePodsWithAffinity() => nodes.Where(n => n.PodsWithAffinity.Count > 0).ToList();

    public IReadOnlyList<NodeInfo> HavePodsWithRequiredAntiAffinity() =>
        nodes.Where(n => n.PodsWithRequiredAntiAffinity.Count > 0).ToList();

    public NodeInfo? Get(string nodeName) => nodes.FirstOrDefault(n => n.Name == nodeName);
}
