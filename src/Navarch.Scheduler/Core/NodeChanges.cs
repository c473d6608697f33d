using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Core;

/// <summary>Which scheduling-relevant properties a node update changed, as kube-scheduler's nodeSchedulingPropertiesChange.</summary>
internal static class NodeChanges
{
    public static ActionType Of(V1Node oldNode, V1Node newNode)
    {
        var changes = ActionType.None;
        // An uncordon is reported as a taint change, as kube-scheduler's NodeSpecUnschedulableChange.
        if ((oldNode.Spec?.Unschedulable ?? false) != (newNode.Spec?.Unschedulable ?? false)) changes |= ActionType.UpdateNodeTaint;
        if (!SameQuantities(oldNode.Status?.Allocatable, newNode.Status?.Allocatable)) changes |= ActionType.UpdateNodeAllocatable;
        if (!SameStrings(oldNode.Metadata?.Labels, newNode.Metadata?.Labels)) changes |= ActionType.UpdateNodeLabel;
        if (!SameTaints(oldNode.Spec?.Taints, newNode.Spec?.Taints)) changes |= ActionType.UpdateNodeTaint;
        if (!SameConditions(oldNode.Status?.Conditions, newNode.Status?.Conditions)) changes |= ActionType.UpdateNodeCondition;
        return changes;
    }

    private static bool SameQuantities(IDictionary<string, ResourceQuantity>? a, IDictionary<string, ResourceQuantity>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        foreach (var (name, quantity) in a)
        {
            if (!b.TryGetValue(name, out var other) || quantity.ToDecimal() != other.ToDecimal()) return false;
        }

        return true;
    }

    private static bool SameStrings(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || other != value) return false;
        }

        return true;
    }

    private static bool SameTaints(IList<V1Taint>? a, IList<V1Taint>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i].Key != b[i].Key || a[i].Value != b[i].Value || a[i].Effect != b[i].Effect) return false;
        }

        return true;
    }

    /// <summary>Only type and status count: heartbeat times change every few seconds and mean nothing here.</summary>
    private static bool SameConditions(IList<V1NodeCondition>? a, IList<V1NodeCondition>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i].Type != b[i].Type || a[i].Status != b[i].Status) return false;
        }

        return true;
    }
}
