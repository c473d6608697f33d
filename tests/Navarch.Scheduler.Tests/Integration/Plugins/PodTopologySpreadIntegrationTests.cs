using k8s.Models;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class PodTopologySpreadIntegrationTests(SchedulerClusterFixture fixture)
{
    private const string Zone = "topology.kubernetes.io/zone";

    [Fact]
    public async Task MaxSkewOne_SpreadsFourPodsTwoPerZone_EvenWhenScoringPrefersOneNode()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "spread");
        // Least-allocated scoring alone would put every pod on the big node: only the constraint splits them.
        var big = await scenario.CreateNodeAsync("big", cpu: "64", memory: "128Gi", configure: n => n.Label(Zone, $"{scenario.Id}-a"));
        var small = await scenario.CreateNodeAsync("small", cpu: "4", memory: "8Gi", configure: n => n.Label(Zone, $"{scenario.Id}-b"));

        for (var i = 0; i < 4; i++)
        {
            await scenario.CreatePodAsync(scenario.Pod($"web-{i}").Label("app", "web").Req(("cpu", "500m"), ("memory", "256Mi"))
                .SpreadConstraint(Constraint(Zone)));
        }

        for (var i = 0; i < 4; i++) await scenario.WaitForBoundAsync($"web-{i}");
        Assert.Equal(2, (await scenario.PodsOnNodeAsync(big.Metadata.Name)).Count);
        Assert.Equal(2, (await scenario.PodsOnNodeAsync(small.Metadata.Name)).Count);
    }

    [Fact]
    public async Task DoNotSchedule_NodeWithoutTheTopologyLabel_IsFilteredOut()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "nolabel");
        const string rack = "navarch.test/rack";
        await scenario.CreateNodeAsync("unlabelled");

        await scenario.CreatePodAsync(scenario.Pod("web").Label("app", "web").Req(("cpu", "100m")).SpreadConstraint(Constraint(rack)));
        var condition = await scenario.WaitForUnschedulableAsync("web");
        Assert.Equal(1, FitMessage.Parse(condition.Message).Count("node(s) didn't match pod topology spread constraints (missing required label)"));

        var labelled = await scenario.CreateNodeAsync("labelled", configure: n => n.Label(rack, "r1"));
        Assert.Equal(labelled.Metadata.Name, (await scenario.WaitForBoundAsync("web")).Spec.NodeName);
    }

    private static V1TopologySpreadConstraint Constraint(string topologyKey) => new()
    {
        MaxSkew = 1,
        TopologyKey = topologyKey,
        WhenUnsatisfiable = "DoNotSchedule",
        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
    };
}
