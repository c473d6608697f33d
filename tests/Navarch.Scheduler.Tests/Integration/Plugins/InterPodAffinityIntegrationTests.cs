using k8s.Models;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class InterPodAffinityIntegrationTests(SchedulerClusterFixture fixture)
{
    private const string Hostname = "kubernetes.io/hostname";

    [Fact]
    public async Task RequiredAntiAffinityOnHostname_SpreadsThreePodsOverThreeNodes_AndTheFourthWaits()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "anti");
        var nodes = new List<string>();
        foreach (var suffix in new[] { "a", "b", "c" }) nodes.Add((await scenario.CreateNodeAsync(suffix)).Metadata.Name);
        var antiAffinity = new V1Affinity
        {
            PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("app", "web")] },
        };

        for (var i = 0; i < 4; i++) await scenario.CreatePodAsync(scenario.Pod($"web-{i}").Label("app", "web").Req(("cpu", "10m")).Affinity(antiAffinity));

        // Which three are bound depends on the queue; exactly one is left with the anti-affinity reason.
        var unschedulable = await Eventually.ReturnsAsync(
            async () =>
            {
                for (var i = 0; i < 4; i++)
                {
                    if (PluginScenario.PodScheduled(await scenario.GetPodAsync($"web-{i}")) is { Reason: "Unschedulable" }) return $"web-{i}";
                }

                return null;
            },
            () => "one web pod to be unschedulable");
        var placed = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            if ($"web-{i}" == unschedulable) continue;
            placed.Add((await scenario.WaitForBoundAsync($"web-{i}")).Spec.NodeName);
        }

        placed.Sort(StringComparer.Ordinal);
        Assert.Equal(nodes, placed);
        var condition = PluginScenario.PodScheduled(await scenario.GetPodAsync(unschedulable));
        Assert.NotNull(condition);
        Assert.Equal(3, FitMessage.Parse(condition.Message).Count("node(s) didn't match pod anti-affinity rules"));
        Assert.True(string.IsNullOrEmpty((await scenario.GetPodAsync(unschedulable))?.Spec.NodeName));
    }

    [Fact]
    public async Task RequiredAffinityOnHostname_PutsPodsNextToTheirPeer()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "affinity");
        foreach (var suffix in new[] { "a", "b", "c" }) await scenario.CreateNodeAsync(suffix);

        await scenario.CreatePodAsync(scenario.Pod("db").Label("role", "db").Req(("cpu", "10m")));
        var peerNode = (await scenario.WaitForBoundAsync("db")).Spec.NodeName;

        var affinity = new V1Affinity
        {
            PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("role", "db")] },
        };
        for (var i = 0; i < 3; i++) await scenario.CreatePodAsync(scenario.Pod($"cache-{i}").Req(("cpu", "10m")).Affinity(affinity));

        for (var i = 0; i < 3; i++) Assert.Equal(peerNode, (await scenario.WaitForBoundAsync($"cache-{i}")).Spec.NodeName);

        // No peer matches: the pod waits with the affinity reason.
        var lonely = new V1Affinity
        {
            PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("role", "missing")] },
        };
        await scenario.CreatePodAsync(scenario.Pod("lonely").Req(("cpu", "10m")).Affinity(lonely));
        var condition = await scenario.WaitForUnschedulableAsync("lonely");
        Assert.InRange(FitMessage.Parse(condition.Message).Count("node(s) didn't match pod affinity rules"), 3, int.MaxValue);
    }

    private static V1PodAffinityTerm Term(string key, string value) => new()
    {
        TopologyKey = Hostname,
        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [key] = value } },
    };
}
