using k8s;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class NodeLifecycleIntegrationTests(SchedulerClusterFixture fixture)
{
    [Fact]
    public async Task DeletedNode_WithPodsStillBound_IsNeitherCountedNorUsed()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "ghost");
        var gone = await scenario.CreateNodeAsync("gone", cpu: "8");
        await scenario.CreateNodeAsync("small", cpu: "1");
        var resident = await scenario.CreatePodAsync(scenario.Pod("resident").Node(gone.Metadata.Name).Req(("cpu", "100m")));
        await Eventually.TrueAsync(
            () => Task.FromResult(fixture.Scheduler.Scheduler?.Cache.Contains(resident) == true),
            () => "the scheduler to cache the resident pod");

        await scenario.Admin.CoreV1.DeleteNodeAsync(gone.Metadata.Name);
        var live = (await scenario.Admin.CoreV1.ListNodeAsync()).Items.Count;
        await Eventually.TrueAsync(
            () => Task.FromResult(fixture.Scheduler.Scheduler?.Cache.NodeCount == live),
            () => $"the scheduler's cache to hold the {live} live nodes (has {fixture.Scheduler.Scheduler?.Cache.NodeCount})");

        // The node's room would fit this pod, but a node that is gone is no candidate, even while pods point at it.
        await scenario.CreatePodAsync(scenario.Pod("big").Req(("cpu", "2")));
        var fit = FitMessage.Parse((await scenario.WaitForUnschedulableAsync("big")).Message);
        Assert.Equal(live, fit.NumNodes);
        Assert.Equal(1, fit.Count("Insufficient cpu"));
        Assert.True(string.IsNullOrEmpty((await scenario.GetPodAsync("big"))?.Spec.NodeName));
    }
}
