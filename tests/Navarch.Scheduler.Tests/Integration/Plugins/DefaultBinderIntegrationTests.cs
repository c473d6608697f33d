namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class DefaultBinderIntegrationTests(SchedulerClusterFixture fixture)
{
    [Fact]
    public async Task FittingPod_IsBoundWithPodScheduledTrueAndScheduledEvent()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "bind");
        var node = await scenario.CreateNodeAsync("a");

        await scenario.CreatePodAsync(scenario.Pod("web").Req(("cpu", "100m"), ("memory", "64Mi")));

        var bound = await scenario.WaitForBoundAsync("web");
        Assert.Equal(node.Metadata.Name, bound.Spec.NodeName);
        var condition = await Eventually.ReturnsAsync(
            async () => PluginScenario.PodScheduled(await scenario.GetPodAsync("web")) is { Status: "True" } c ? c : null,
            () => "PodScheduled=True");
        Assert.Equal("True", condition.Status);

        var scheduled = await scenario.WaitForEventAsync("web", "Scheduled");
        Assert.Equal("Normal", scheduled.Type);
        Assert.Equal(PluginScenario.DefaultScheduler, scheduled.Source?.Component);
        Assert.Equal($"Successfully assigned {scenario.Namespace}/web to {node.Metadata.Name}", scheduled.Message);
        Assert.Equal("Pod", scheduled.InvolvedObject.Kind);
        Assert.Equal(bound.Metadata.Uid, scheduled.InvolvedObject.Uid);
        Assert.Empty(await scenario.EventsAsync("web", "FailedScheduling"));
    }
}
