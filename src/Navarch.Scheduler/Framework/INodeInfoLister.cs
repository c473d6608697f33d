namespace Navarch.Scheduler.Framework;

/// <summary>The nodes of the current cycle's snapshot; stable for the whole cycle.</summary>
public interface INodeInfoLister
{
    IReadOnlyList<NodeInfo> List();

    /// <summary>Nodes with at least one pod that has (anti-)affinity terms.</summary>
    IReadOnlyList<NodeInfo> HavePodsWithAffinity();

    /// <summary>Nodes with at least one pod that has required anti-affinity terms.</summary>
    IReadOnlyList<NodeInfo> HavePodsWithRequiredAntiAffinity();

    NodeInfo? Get(string nodeName);
}
