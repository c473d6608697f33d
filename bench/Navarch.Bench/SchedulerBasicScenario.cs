namespace Navarch.Bench;

/// <summary>scheduler_perf's SchedulingBasic: plain pods with requests; a node must never be given more cpu than it has.</summary>
internal sealed class SchedulerBasicScenario : SchedulerScenario
{
    public override string Name => "basic";

    public override string Description => $"pod-default (requests cpu {PodCpuMillis}m, memory {PodMemory})";

    public override string PodJson(int index) => PodJson(index, """{"app":"basic"}""", "");

    public override void Verify(IReadOnlyList<int> nodeOfPod, int nodes, List<string> violations)
    {
        var perNode = new int[nodes];
        foreach (var node in nodeOfPod)
        {
            perNode[node]++;
        }

        var capacity = SchedulerNodes.CpuMillis / PodCpuMillis;
        for (var node = 0; node < nodes; node++)
        {
            if (perNode[node] > capacity)
            {
                violations.Add($"{SchedulerNodes.NodeName(node)} holds {perNode[node]} pods, more than its cpu fits ({capacity})");
            }
        }
    }
}
