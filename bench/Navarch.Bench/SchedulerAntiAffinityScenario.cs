namespace Navarch.Bench;

/// <summary>
/// After scheduler_perf's pod-with-pod-anti-affinity: each pod carries <c>group=g&lt;i mod G&gt;</c> and a required
/// podAntiAffinity on <c>kubernetes.io/hostname</c> against its own group, so a node holds at most one pod per group.
/// </summary>
/// <remarks>
/// With one group (as scheduler_perf's single color) only as many pods as nodes could be placed; G = max(10, 2·⌈P/N⌉)
/// keeps each group to at most half the nodes, so every pod fits while every node still carries up to G
/// anti-affinity pods that each placement must check.
/// </remarks>
internal sealed class SchedulerAntiAffinityScenario(int nodes, int pods) : SchedulerScenario
{
    private readonly int _groups = Math.Max(10, 2 * (int)Math.Ceiling(pods / (double)Math.Max(1, nodes)));

    public override string Name => "anti-affinity";

    public override string Description =>
        $"pod-default + label group=g<i mod {_groups}> + required podAntiAffinity to its own group on kubernetes.io/hostname";

    public override string PodJson(int index)
    {
        var group = $"g{index % _groups}";
        return PodJson(
            index,
            $$$"""{"group":"{{{group}}}"}""",
            $$$"""
            "affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"group":"{{{group}}}"}},"topologyKey":"kubernetes.io/hostname"}]}},
            """);
    }

    public override void Verify(IReadOnlyList<int> nodeOfPod, int nodes, List<string> violations)
    {
        var seen = new HashSet<(int Node, int Group)>();
        for (var i = 0; i < nodeOfPod.Count; i++)
        {
            if (!seen.Add((nodeOfPod[i], i % _groups)))
            {
                violations.Add($"{SchedulerNodes.NodeName(nodeOfPod[i])} holds two pods of group g{i % _groups} (one is {PodName(i)})");
            }
        }
    }
}
