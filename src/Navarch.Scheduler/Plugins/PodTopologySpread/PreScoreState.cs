namespace Navarch.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// What PreScore computes for Score: the ScheduleAnyway constraints, nodes that lack a topology key (scored 0),
/// matching pod counts per domain (hostname domains are counted in Score) and each constraint's weight.
/// Read-only after PreScore.
/// </summary>
internal sealed class PreScoreState(
    IReadOnlyList<SpreadConstraint> constraints,
    HashSet<string> ignoredNodes,
    Dictionary<string, long>[] topologyValueToPodCounts,
    double[] topologyNormalizingWeight)
{
    public IReadOnlyList<SpreadConstraint> Constraints { get; } = constraints;

    public HashSet<string> IgnoredNodes { get; } = ignoredNodes;

    public Dictionary<string, long>[] TopologyValueToPodCounts { get; } = topologyValueToPodCounts;

    public double[] TopologyNormalizingWeight { get; } = topologyNormalizingWeight;
}
