namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class DefaultPreemptionIntegrationTests(SchedulerClusterFixture fixture)
{
    [Fact]
    public async Task HighPriorityPod_EvictsALowPriorityVictim_IsNominatedAndBoundThere()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "preempt");
        var low = await scenario.CreatePriorityClassAsync("low", 100);
        var high = await scenario.CreatePriorityClassAsync("high", 1000);
        var node = (await scenario.CreateNodeAsync("a", cpu: "2")).Metadata.Name;
        string[] lows = ["low-0", "low-1"];
        foreach (var name in lows) await scenario.CreatePodAsync(scenario.Pod(name).Req(("cpu", "1")).Configure(p => p.Spec.PriorityClassName = low));
        foreach (var name in lows) await scenario.WaitForBoundAsync(name);

        await using var history = await PodHistory.StartAsync(scenario.Admin, scenario.Namespace);
        var boss = await scenario.CreatePodAsync(scenario.Pod("boss").Req(("cpu", "1")).Configure(p => p.Spec.PriorityClassName = high));
        Assert.Equal(1000, boss.Spec.Priority);

        Assert.Equal(node, (await scenario.WaitForBoundAsync("boss")).Spec.NodeName);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(history.Find("boss", p => p.Status?.NominatedNodeName == node)),
            () => $"boss to be nominated to {node}");

        var gone = new List<string>();
        foreach (var name in lows)
        {
            if (await scenario.GetPodAsync(name) is null) gone.Add(name);
        }

        var victim = Assert.Single(gone);
        var preempted = await scenario.WaitForEventAsync(victim, "Preempted");
        Assert.Equal("Normal", preempted.Type);
        Assert.Equal(PluginScenario.DefaultScheduler, preempted.Source?.Component);
        Assert.Equal($"Preempted by pod {boss.Metadata.Uid} on node {node}", preempted.Message);

        // As kube-scheduler since 1.26: the victim is marked before it is deleted, so its owner can tell why it went.
        var marked = history.Find(victim, p => p.Status?.Conditions?.Any(c => c.Type == "DisruptionTarget") == true);
        Assert.NotNull(marked);
        var disruption = Assert.Single(marked.Status.Conditions, c => c.Type == "DisruptionTarget");
        Assert.Equal("True", disruption.Status);
        Assert.Equal("PreemptionByScheduler", disruption.Reason);
        Assert.Equal($"{PluginScenario.DefaultScheduler}: preempting to accommodate a higher priority pod", disruption.Message);
    }

    [Fact]
    public async Task PreemptionPolicyNever_LeavesLowerPriorityPodsAlone()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "never");
        var low = await scenario.CreatePriorityClassAsync("low", 100);
        var polite = await scenario.CreatePriorityClassAsync("polite", 1000, "Never");
        var node = (await scenario.CreateNodeAsync("a", cpu: "1")).Metadata.Name;
        await scenario.CreatePodAsync(scenario.Pod("low").Req(("cpu", "1")).Configure(p => p.Spec.PriorityClassName = low));
        await scenario.WaitForBoundAsync("low");

        await scenario.CreatePodAsync(scenario.Pod("polite").Req(("cpu", "1")).Configure(p => p.Spec.PriorityClassName = polite));

        // The event is recorded after PostFilter has run, so any eviction would already have been made.
        var failed = await scenario.WaitForEventAsync("polite", "FailedScheduling");
        var fit = FitMessage.Parse(failed.Message);
        Assert.Equal(1, fit.Count("Insufficient cpu"));
        Assert.Equal("preemption: not eligible due to preemptionPolicy=Never.", fit.PostFilter);
        Assert.Equal(node, (await scenario.GetPodAsync("low"))?.Spec.NodeName);
        var pending = await scenario.GetPodAsync("polite");
        Assert.True(string.IsNullOrEmpty(pending?.Spec.NodeName));
        Assert.True(string.IsNullOrEmpty(pending?.Status?.NominatedNodeName));
        Assert.Empty(await scenario.EventsAsync("low", "Preempted"));
    }
}
