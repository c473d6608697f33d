namespace Navarch.Scheduler.Framework;

/// <summary>What happened to the object of a <see cref="ClusterEvent"/>; node updates are split by what changed.</summary>
[Flags]
public enum ActionType
{
    None = 0,
    Add = 1 << 0,
    Delete = 1 << 1,
    UpdateNodeAllocatable = 1 << 2,
    UpdateNodeLabel = 1 << 3,
    UpdateNodeTaint = 1 << 4,
    UpdateNodeCondition = 1 << 5,
    UpdatePodLabel = 1 << 6,
    UpdatePodScaleDown = 1 << 7,
    UpdatePodTolerations = 1 << 8,
    UpdatePodSchedulingGates = 1 << 9,
    Update = UpdateNodeAllocatable | UpdateNodeLabel | UpdateNodeTaint | UpdateNodeCondition
        | UpdatePodLabel | UpdatePodScaleDown | UpdatePodTolerations | UpdatePodSchedulingGates,
    All = Add | Delete | Update,
}
