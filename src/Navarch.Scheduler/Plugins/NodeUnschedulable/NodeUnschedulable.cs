using System.Text.Json;
using k8s.Models;
using Navarch.Api.Scheduling;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeUnschedulable;

/// <summary>
/// Rejects nodes with spec.unschedulable (cordoned) unless the pod tolerates the
/// <c>node.kubernetes.io/unschedulable:NoSchedule</c> taint, as kube-scheduler's NodeUnschedulable.
/// </summary>
public sealed class NodeUnschedulable : IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeUnschedulable";

    /// <summary>The reason reported for a cordoned node.</summary>
    public const string ErrReasonUnschedulable = "node(s) were unschedulable";

    /// <summary>The taint the node lifecycle controller puts on cordoned nodes.</summary>
    public const string TaintNodeUnschedulable = "node.kubernetes.io/unschedulable";

    private static readonly ClusterEvent[] Events =
    [
        new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeTaint, "NodeAddOrUpdateTaint"),
        new(EventResource.Pod, ActionType.UpdatePodTolerations, "PodUpdateTolerations"),
    ];

    private static readonly Status Rejected = Status.UnschedulableAndUnresolvable(ErrReasonUnschedulable);

    private NodeUnschedulable()
    {
    }

    public string Name => PluginName;

    public static IPlugin New(JsonElement? args, IFrameworkHandle handle) => new NodeUnschedulable();

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (nodeInfo.Node?.Spec?.Unschedulable != true) return Status.Success;
        var tolerates = Tolerations.TolerationsTolerateTaint(
            pod.Spec?.Tolerations, TaintNodeUnschedulable, null, TaintEffects.NoSchedule);
        return tolerates ? Status.Success : Rejected;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() => Events;
}
