namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class NodeUnschedulableIntegrationTests(SchedulerClusterFixture fixture)
{
    [Fact]
    public async Task CordonedNode_IsAvoidedUntilUncordoned()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "cordon");
        var node = await scenario.CreateNodeAsync("a", configure: n => n.Unschedulable());

        await scenario.CreatePodAsync(scenario.Pod("waiting").Req(("cpu", "100m")));
        var condition = await scenario.WaitForUnschedulableAsync("waiting");
        Assert.Equal(1, FitMessage.Parse(condition.Message).Count("node(s) were unschedulable"));

        // As kubectl drain relies on: the unschedulable taint's toleration lets a pod onto a cordoned node.
        await scenario.CreatePodAsync(scenario.Pod("tolerant").Req(("cpu", "100m")).Toleration("node.kubernetes.io/unschedulable", null, "NoSchedule", "Exists"));
        Assert.Equal(node.Metadata.Name, (await scenario.WaitForBoundAsync("tolerant")).Spec.NodeName);
        Assert.True(string.IsNullOrEmpty((await scenario.GetPodAsync("waiting"))?.Spec.NodeName));

        await scenario.PatchNodeAsync("a", """{"spec":{"unschedulable":false}}""");
        Assert.Equal(node.Metadata.Name, (await scenario.WaitForBoundAsync("waiting")).Spec.NodeName);
    }
}
