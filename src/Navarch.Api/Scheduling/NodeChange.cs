namespace Navarch.Api.Scheduling;

/// <summary>
/// The scheduling-relevant properties of a node that an update changed (see <see cref="NodeChanges.Between"/>),
/// as kube-scheduler's nodeSchedulingPropertiesChange distinguishes them.
/// </summary>
[Flags]
public enum NodeChange
{
    /// <summary>Nothing placement depends on changed (e.g. only heartbeat times).</summary>
    None = 0,

    /// <summary>metadata.labels.</summary>
    Labels = 1,

    /// <summary>spec.taints (key, value or effect; timeAdded is ignored).</summary>
    Taints = 2,

    /// <summary>spec.unschedulable (cordon or uncordon).</summary>
    Unschedulable = 4,

    /// <summary>status.allocatable (compared by value, so "1000m" equals "1").</summary>
    Allocatable = 8,

    /// <summary>status.conditions' types and statuses (heartbeat and transition times are ignored).</summary>
    Conditions = 16,

    /// <summary>Every property above.</summary>
    All = Labels | Taints | Unschedulable | Allocatable | Conditions,
}
