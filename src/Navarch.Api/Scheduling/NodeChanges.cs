using k8s.Models;

namespace Navarch.Api.Scheduling;

/// <summary>
/// Classifies a node update, so informer handlers can skip the many updates (kubelet heartbeats) that change
/// nothing placement reads. Allocation-free.
/// </summary>
public static class NodeChanges
{
    /// <summary>
    /// Which of the properties in <paramref name="interest"/> differ between <paramref name="oldNode"/> and
    /// <paramref name="newNode"/>; properties outside <paramref name="interest"/> are not compared.
    /// </summary>
    public static NodeChange Between(V1Node oldNode, V1Node newNode, NodeChange interest = NodeChange.All)
    {
        ArgumentNullException.ThrowIfNull(oldNode);
        ArgumentNullException.ThrowIfNull(newNode);
        var changes = NodeChange.None;
        if ((interest & NodeChange.Unschedulable) != 0
            && (oldNode.Spec?.Unschedulable ?? false) != (newNode.Spec?.Unschedulable ?? false))
        {
            changes |= NodeChange.Unschedulable;
        }

        if ((interest & NodeChange.Allocatable) != 0 && !SameQuantities(oldNode.Status?.Allocatable, newNode.Status?.Allocatable))
        {
            changes |= NodeChange.Allocatable;
        }

        if ((interest & NodeChange.Labels) != 0 && !SameStrings(oldNode.Metadata?.Labels, newNode.Metadata?.Labels))
        {
            changes |= NodeChange.Labels;
        }

        if ((interest & NodeChange.Taints) != 0 && !SameTaints(oldNode.Spec?.Taints, newNode.Spec?.Taints))
        {
            changes |= NodeChange.Taints;
        }

        if ((interest & NodeChange.Conditions) != 0 && !SameConditions(oldNode.Status?.Conditions, newNode.Status?.Conditions))
        {
            changes |= NodeChange.Conditions;
        }

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

    /// <summary>Compared in order, as upstream's reflect.DeepEqual on the taint list (timeAdded aside).</summary>
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
