using k8s.Models;
using Navarch.Scheduler.Framework;
using SharedNodeChanges = Navarch.Api.Scheduling.NodeChanges;
using NodeChange = Navarch.Api.Scheduling.NodeChange;

namespace Navarch.Scheduler.Core;

/// <summary>Which scheduling-relevant properties a node update changed, as kube-scheduler's nodeSchedulingPropertiesChange.</summary>
internal static class NodeChanges
{
    public static ActionType Of(V1Node oldNode, V1Node newNode)
    {
        var changed = SharedNodeChanges.Between(oldNode, newNode);
        var changes = ActionType.None;
        // An uncordon is reported as a taint change, as kube-scheduler's NodeSpecUnschedulableChange.
        if ((changed & (NodeChange.Unschedulable | NodeChange.Taints)) != 0) changes |= ActionType.UpdateNodeTaint;
        if ((changed & NodeChange.Allocatable) != 0) changes |= ActionType.UpdateNodeAllocatable;
        if ((changed & NodeChange.Labels) != 0) changes |= ActionType.UpdateNodeLabel;
        if ((changed & NodeChange.Conditions) != 0) changes |= ActionType.UpdateNodeCondition;
        return changes;
    }
}
