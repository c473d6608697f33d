namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class NodePortsIntegrationTests(SchedulerClusterFixture fixture)
{
    [Fact]
    public async Task SameHostPort_SecondPodWaitsUntilTheFirstIsDeleted()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "ports");
        var node = await scenario.CreateNodeAsync("a");

        await scenario.CreatePodAsync(scenario.Pod("first").Req(("cpu", "100m")).HostPort(8080));
        Assert.Equal(node.Metadata.Name, (await scenario.WaitForBoundAsync("first")).Spec.NodeName);

        await scenario.CreatePodAsync(scenario.Pod("second").Req(("cpu", "100m")).HostPort(8080));
        var condition = await scenario.WaitForUnschedulableAsync("second");
        Assert.Equal(1, FitMessage.Parse(condition.Message).Count("node(s) didn't have free ports for the requested pod ports"));

        // Another port, or the same port on another protocol, does not conflict.
        await scenario.CreatePodAsync(scenario.Pod("udp").Req(("cpu", "100m")).HostPort(8080, "UDP"));
        Assert.Equal(node.Metadata.Name, (await scenario.WaitForBoundAsync("udp")).Spec.NodeName);

        await scenario.DeletePodNowAsync("first");
        Assert.Equal(node.Metadata.Name, (await scenario.WaitForBoundAsync("second")).Spec.NodeName);
    }
}
