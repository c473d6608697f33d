using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeName;

/// <summary>
/// Honors spec.nodeName on a pod that still goes through the scheduler: PreFilter narrows the candidates to that
/// node and Filter rejects every other, as kube-scheduler's NodeName.
/// </summary>
public sealed class NodeName : IPreFilterPlugin, IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeName";

    /// <summary>The reason reported for any node other than the requested one.</summary>
    public const string ErrReason = "node(s) didn't match the requested node name";

    private static readonly ClusterEvent[] Events = [ClusterEvent.NodeAdd];

    private static readonly Status Rejected = Status.UnschedulableAndUnresolvable(ErrReason);

    private NodeName()
    {
    }

    public string Name => PluginName;

    public IPreFilterExtensions? PreFilterExtensions => null;

    public static IPlugin New(JsonElement? args, IFrameworkHandle handle) => new NodeName();

    public (PreFilterResult? Result, Status Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var nodeName = pod.Spec?.NodeName;
        if (string.IsNullOrEmpty(nodeName)) return (null, Status.Skip);
        return (new PreFilterResult(new HashSet<string>(StringComparer.Ordinal) { nodeName }), Status.Success);
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo) =>
        Fits(pod, nodeInfo) ? Status.Success : Rejected;

    /// <summary>True when the pod names no node or names this one.</summary>
    public static bool Fits(V1Pod pod, NodeInfo nodeInfo)
    {
        var nodeName = pod.Spec?.NodeName;
        return string.IsNullOrEmpty(nodeName) || nodeName == nodeInfo.Name;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() => Events;
}
