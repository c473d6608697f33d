using k8s.Models;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class NodeAffinityIntegrationTests(SchedulerClusterFixture fixture)
{
    private const string Tier = "navarch.test/tier";
    private const string NodeAffinityMismatch = "node(s) didn't match Pod's node affinity/selector";

    [Fact]
    public async Task RequiredNodeAffinity_InAndNotIn_PlacePodsOnlyOnMatchingNodes()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "required");
        await scenario.CreateNodeAsync("a", configure: n => n.Label(Tier, "a"));
        var b = await scenario.CreateNodeAsync("b", configure: n => n.Label(Tier, "b"));
        var c = await scenario.CreateNodeAsync("c", configure: n => n.Label(Tier, "c"));

        for (var i = 0; i < 2; i++)
        {
            await scenario.CreatePodAsync(scenario.Pod($"in-{i}").Req(("cpu", "10m")).Affinity(Required("In", "b")));
            await scenario.CreatePodAsync(scenario.Pod($"not-in-{i}").Req(("cpu", "10m")).Affinity(Required("NotIn", "a", "b")));
        }

        await scenario.CreatePodAsync(scenario.Pod("nowhere").Req(("cpu", "10m")).Affinity(Required("In", "z")));

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(b.Metadata.Name, (await scenario.WaitForBoundAsync($"in-{i}")).Spec.NodeName);
            Assert.Equal(c.Metadata.Name, (await scenario.WaitForBoundAsync($"not-in-{i}")).Spec.NodeName);
        }

        var condition = await scenario.WaitForUnschedulableAsync("nowhere");
        var fit = FitMessage.Parse(condition.Message);
        Assert.InRange(fit.Count(NodeAffinityMismatch), 3, fit.NumNodes);
    }

    [Fact]
    public async Task PreferredNodeAffinity_TheHeavierTermChoosesTheNode()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "preferred");
        await scenario.CreateNodeAsync("a", configure: n => n.Label(Tier, "a"));
        var b = await scenario.CreateNodeAsync("b", configure: n => n.Label(Tier, "b"));
        var affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PreferredSchedulingTerm { Weight = 1, Preference = Term("In", "a") },
                    new V1PreferredSchedulingTerm { Weight = 50, Preference = Term("In", "b") },
                ],
            },
        };

        for (var i = 0; i < 3; i++) await scenario.CreatePodAsync(scenario.Pod($"p{i}").Req(("cpu", "10m")).Affinity(affinity));

        for (var i = 0; i < 3; i++) Assert.Equal(b.Metadata.Name, (await scenario.WaitForBoundAsync($"p{i}")).Spec.NodeName);
    }

    [Fact]
    public async Task NodeSelector_PlacesPodsOnlyOnTheLabelledNode()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "selector");
        var disk = "navarch.test/disk";
        await scenario.CreateNodeAsync("hdd", configure: n => n.Label(disk, $"{scenario.Id}-hdd"));
        var ssd = await scenario.CreateNodeAsync("ssd", configure: n => n.Label(disk, $"{scenario.Id}-ssd"));

        // Only the nodeSelector under test: no scenario label, so every node in the cluster is a candidate.
        for (var i = 0; i < 3; i++)
        {
            await scenario.CreatePodAsync(scenario.UnselectedPod($"p{i}").Req(("cpu", "10m")).NodeSelector(disk, $"{scenario.Id}-ssd"));
        }

        await scenario.CreatePodAsync(scenario.UnselectedPod("none").Req(("cpu", "10m")).NodeSelector(disk, $"{scenario.Id}-nvme"));

        for (var i = 0; i < 3; i++) Assert.Equal(ssd.Metadata.Name, (await scenario.WaitForBoundAsync($"p{i}")).Spec.NodeName);
        var fit = FitMessage.Parse((await scenario.WaitForUnschedulableAsync("none")).Message);
        Assert.InRange(fit.Count(NodeAffinityMismatch), 2, fit.NumNodes);
    }

    private static V1Affinity Required(string op, params string[] values) => new()
    {
        NodeAffinity = new V1NodeAffinity
        {
            RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = [Term(op, values)] },
        },
    };

    private static V1NodeSelectorTerm Term(string op, params string[] values) => new()
    {
        MatchExpressions = [new V1NodeSelectorRequirement { Key = Tier, OperatorProperty = op, Values = values }],
    };
}
