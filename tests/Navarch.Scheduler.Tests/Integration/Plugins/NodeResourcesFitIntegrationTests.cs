using System.Diagnostics;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class NodeResourcesFitIntegrationTests(SchedulerClusterFixture fixture)
{
    [Fact]
    public async Task PodTooBigForEveryNode_StaysPendingUntilABigEnoughNodeIsAdded()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "fit");
        await scenario.CreateNodeAsync("small", cpu: "1");

        await scenario.CreatePodAsync(scenario.Pod("big").Req(("cpu", "3"), ("memory", "64Mi")));

        var condition = await scenario.WaitForUnschedulableAsync("big");
        var fit = FitMessage.Parse(condition.Message);
        Assert.True(fit.NumNodes >= 1, condition.Message);
        Assert.Equal(1, fit.Count("Insufficient cpu"));
        Assert.Equal(0, fit.Count("Insufficient memory"));
        Assert.StartsWith("preemption: ", fit.PostFilter);

        var failed = await scenario.WaitForEventAsync("big", "FailedScheduling");
        Assert.Equal("Warning", failed.Type);
        Assert.Equal(PluginScenario.DefaultScheduler, failed.Source?.Component);
        Assert.Contains("1 Insufficient cpu", failed.Message, StringComparison.Ordinal);
        Assert.True(string.IsNullOrEmpty((await scenario.GetPodAsync("big"))?.Spec.NodeName));

        // A node add re-activates the pod at once (after its back-off), not at the 5-minute unschedulable flush.
        var clock = Stopwatch.StartNew();
        var large = await scenario.CreateNodeAsync("large", cpu: "4");
        var bound = await scenario.WaitForBoundAsync("big", TimeSpan.FromSeconds(5));
        Assert.Equal(large.Metadata.Name, bound.Spec.NodeName);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");

        // The binding replaces the earlier PodScheduled=False; no late failure report may overwrite it.
        await Eventually.TrueAsync(
            async () => PluginScenario.PodScheduled(await scenario.GetPodAsync("big")) is { Status: "True" },
            () => "PodScheduled=True after the bind");
    }

    [Fact]
    public async Task LeastAllocated_PrefersTheEmptierOfTwoEqualNodes()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "least");
        var empty = await scenario.CreateNodeAsync("empty");
        var busy = await scenario.CreateNodeAsync("busy");
        await scenario.CreatePodAsync(scenario.Pod("hog").Node(busy.Metadata.Name).Req(("cpu", "3"), ("memory", "6Gi")));

        // Three pods in a row, so a scheduler that ignores allocation passes only by a 1-in-8 chance.
        for (var i = 0; i < 3; i++)
        {
            await scenario.CreatePodAsync(scenario.Pod($"small-{i}").Req(("cpu", "500m"), ("memory", "1Gi")));
        }

        for (var i = 0; i < 3; i++)
        {
            var bound = await scenario.WaitForBoundAsync($"small-{i}");
            Assert.Equal(empty.Metadata.Name, bound.Spec.NodeName);
        }
    }

    [Fact]
    public async Task InitContainerRequest_LargerThanAppContainers_DecidesFitAndIsCounted()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "init");
        var node = await scenario.CreateNodeAsync("a", cpu: "2");

        // The pod needs max(app sum, largest init) = 3 cpu: it does not fit a 2-cpu node though its app needs 500m.
        await scenario.CreatePodAsync(scenario.Pod("init-too-big").Req(("cpu", "500m")).InitReq(false, ("cpu", "3")));
        var condition = await scenario.WaitForUnschedulableAsync("init-too-big");
        Assert.Equal(1, FitMessage.Parse(condition.Message).Count("Insufficient cpu"));

        // 1500m by its init container: it fits, and then holds 1500m of the node.
        await scenario.CreatePodAsync(scenario.Pod("init-fits").Req(("cpu", "500m")).InitReq(false, ("cpu", "1500m")));
        Assert.Equal(node.Metadata.Name, (await scenario.WaitForBoundAsync("init-fits")).Spec.NodeName);

        await scenario.CreatePodAsync(scenario.Pod("after").Req(("cpu", "600m")));
        condition = await scenario.WaitForUnschedulableAsync("after");
        Assert.Equal(1, FitMessage.Parse(condition.Message).Count("Insufficient cpu"));

        await scenario.CreatePodAsync(scenario.Pod("after-small").Req(("cpu", "500m")));
        Assert.Equal(node.Metadata.Name, (await scenario.WaitForBoundAsync("after-small")).Spec.NodeName);
    }

    [Fact]
    public async Task PodOverhead_IsAddedToTheContainersRequests()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "overhead");
        var node = await scenario.CreateNodeAsync("a", cpu: "2");

        await scenario.CreatePodAsync(scenario.Pod("heavy").Req(("cpu", "1")).Overhead(("cpu", "1500m")));
        var condition = await scenario.WaitForUnschedulableAsync("heavy");
        Assert.Equal(1, FitMessage.Parse(condition.Message).Count("Insufficient cpu"));

        await scenario.CreatePodAsync(scenario.Pod("light").Req(("cpu", "1")).Overhead(("cpu", "500m")));
        Assert.Equal(node.Metadata.Name, (await scenario.WaitForBoundAsync("light")).Spec.NodeName);
    }
}
