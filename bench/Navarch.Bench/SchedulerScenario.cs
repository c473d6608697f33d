namespace Navarch.Bench;

/// <summary>
/// What the pods of one <c>scheduler</c> benchmark run look like (after scheduler_perf's pod templates), and how to
/// check that the placements the scheduler chose obey them.
/// </summary>
internal abstract class SchedulerScenario
{
    public const string Namespace = "navarch-sched-bench";

    /// <summary>Every pod asks for this much, as scheduler_perf's pod-default.yaml.</summary>
    public const int PodCpuMillis = 100;

    public const string PodMemory = "500Mi";

    public static readonly string[] Names = ["basic", "anti-affinity", "spread"];

    public abstract string Name { get; }

    /// <summary>One line saying what the pods require, for the report.</summary>
    public abstract string Description { get; }

    /// <summary>The creation body of measured pod <paramref name="index"/>, named <see cref="PodName"/>.</summary>
    public abstract string PodJson(int index);

    /// <summary>Adds a line to <paramref name="violations"/> for each rule the placements break (nodeOfPod[i] is a node index).</summary>
    public abstract void Verify(IReadOnlyList<int> nodeOfPod, int nodes, List<string> violations);

    public static string PodName(int index) => $"pod-{index}";

    /// <summary>The scenarios <paramref name="name"/> stands for (<c>all</c>: each in turn, basic first); null when unknown.</summary>
    public static IReadOnlyList<SchedulerScenario>? Create(string name, int nodes, int pods) => name switch
    {
        "basic" => [new SchedulerBasicScenario()],
        "anti-affinity" => [new SchedulerAntiAffinityScenario(nodes, pods)],
        "spread" => [new SchedulerSpreadScenario()],
        "all" => [new SchedulerBasicScenario(), new SchedulerAntiAffinityScenario(nodes, pods), new SchedulerSpreadScenario()],
        _ => null,
    };

    /// <summary>scheduler_perf's pod-default: one pause container with 100m cpu and 500Mi memory, plus the scenario's parts.</summary>
    protected static string PodJson(int index, string labelsJson, string extraSpecJson) =>
        $$$$"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{{PodName(index)}}}}","namespace":"{{{{Namespace}}}}","labels":{{{{labelsJson}}}}},"spec":{"schedulerName":"default-scheduler",{{{{extraSpecJson}}}}"containers":[{"name":"pause","image":"registry.k8s.io/pause:3.10","ports":[{"containerPort":80}],"resources":{"requests":{"cpu":"{{{{PodCpuMillis}}}}m","memory":"{{{{PodMemory}}}}"},"limits":{"cpu":"{{{{PodCpuMillis}}}}m","memory":"{{{{PodMemory}}}}"}}}]}}
        """;
}
