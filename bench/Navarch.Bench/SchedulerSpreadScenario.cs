namespace Navarch.Bench;

/// <summary>
/// After scheduler_perf's pod-with-topology-spreading: a topologySpreadConstraint on
/// <c>topology.kubernetes.io/zone</c>, maxSkew 1, DoNotSchedule, over the pods' own label; the zones' final counts
/// may then differ by at most one.
/// </summary>
internal sealed class SchedulerSpreadScenario : SchedulerScenario
{
    public override string Name => "spread";

    public override string Description =>
        "pod-default + label app=spread + topologySpreadConstraint zone maxSkew 1 DoNotSchedule over app=spread";

    public override string PodJson(int index) =>
        PodJson(
            index,
            """{"app":"spread"}""",
            """
            "topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"app":"spread"}}}],
            """);

    public override void Verify(IReadOnlyList<int> nodeOfPod, int nodes, List<string> violations)
    {
        // A zone without nodes is no domain of the constraint.
        var perZone = new int[Math.Min(nodes, SchedulerNodes.Zones)];
        foreach (var node in nodeOfPod)
        {
            perZone[SchedulerNodes.ZoneIndex(node)]++;
        }

        if (perZone.Max() - perZone.Min() > 1)
        {
            violations.Add($"zones hold {string.Join(", ", perZone)} pods: skew above 1");
        }
    }
}
