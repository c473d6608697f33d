namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class TaintTolerationIntegrationTests(SchedulerClusterFixture fixture)
{
    [Fact]
    public async Task NoScheduleTaint_RepelsPodsWithoutToleration_AndAdmitsTolerating()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "taint");
        var node = await scenario.CreateNodeAsync("tainted", configure: n => n.Taint("dedicated", "gpu", "NoSchedule"));

        await scenario.CreatePodAsync(scenario.Pod("plain").Req(("cpu", "100m")));
        var condition = await scenario.WaitForUnschedulableAsync("plain");
        Assert.Equal(1, FitMessage.Parse(condition.Message).Count("node(s) had untolerated taint {dedicated: gpu}"));

        await scenario.CreatePodAsync(scenario.Pod("tolerant").Req(("cpu", "100m")).Toleration("dedicated", "gpu", "NoSchedule"));
        Assert.Equal(node.Metadata.Name, (await scenario.WaitForBoundAsync("tolerant")).Spec.NodeName);
        Assert.True(string.IsNullOrEmpty((await scenario.GetPodAsync("plain"))?.Spec.NodeName));
    }

    [Fact]
    public async Task PreferNoScheduleTaint_IsAvoidedWhenAnUntaintedNodeFits()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "prefer");
        await scenario.CreateNodeAsync("soft", configure: n => n.Taint("flaky", "yes", "PreferNoSchedule"));
        var clean = await scenario.CreateNodeAsync("clean");

        for (var i = 0; i < 3; i++) await scenario.CreatePodAsync(scenario.Pod($"p{i}").Req(("cpu", "10m")));

        for (var i = 0; i < 3; i++) Assert.Equal(clean.Metadata.Name, (await scenario.WaitForBoundAsync($"p{i}")).Spec.NodeName);
    }
}
