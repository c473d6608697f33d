using Microsoft.Extensions.Time.Testing;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Core;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;

namespace Navarch.Scheduler.Tests.Core;

public sealed class PodSchedulerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeSchedulerClient _client = new();
    private readonly RecordingEvents _events = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static Status FitsCpu(k8s.Models.V1Pod pod, NodeInfo node)
    {
        var requests = PodRequests.Compute(pod);
        return node.Requested.MilliCpu + requests.MilliCpu > node.Allocatable.MilliCpu ? Status.Unschedulable("Insufficient cpu") : Status.Success;
    }

    private PodScheduler NewScheduler(params IPlugin[] plugins)
    {
        var names = plugins.Select(p => p.Name).ToArray();
        return new PodScheduler(Fakes.Config(names), Fakes.Registry(plugins), _client, _events, _time, new Random(1));
    }

    [Fact]
    public async Task ScheduleOne_BindsPodToTheHighestScoredNode()
    {
        using var scheduler = NewScheduler(
            new FakeFilter("Fit", FitsCpu, ClusterEvent.NodeAdd),
            new FakeScore("PreferB", n => n.Name == "b" ? 100 : 10));
        scheduler.OnNodeAdd(NodeBuilder.Node("a").Build());
        scheduler.OnNodeAdd(NodeBuilder.Node("b").Build());
        scheduler.OnPodAdd(PodBuilder.Pod("web").Req(("cpu", "1")));

        Assert.True(await scheduler.ScheduleOneAsync(new CancellationTokenSource(Deadline).Token));
        await scheduler.WaitForBackgroundAsync();

        Assert.Equal(("default/web", "b"), Assert.Single(_client.Bindings));
        Assert.Contains(_events.Events, e => e.Reason == "Scheduled" && e.Message == "Successfully assigned default/web to b");
        Assert.Equal(1, scheduler.Metrics.ScheduledAttempts);
        Assert.Equal(1, scheduler.Cache.AssumedPodCount);
    }

    [Fact]
    public async Task ScheduleOne_AssumedPodCountsForTheNextCycle()
    {
        using var scheduler = NewScheduler(new FakeFilter("Fit", FitsCpu));
        scheduler.OnNodeAdd(NodeBuilder.Node("a").Allocatable(("cpu", "1"), ("pods", "10")).Build());
        scheduler.OnPodAdd(PodBuilder.Pod("one").Req(("cpu", "800m")));
        scheduler.OnPodAdd(PodBuilder.Pod("two").Req(("cpu", "800m")));

        var ct = new CancellationTokenSource(Deadline).Token;
        await scheduler.ScheduleOneAsync(ct);
        await scheduler.ScheduleOneAsync(ct);
        await scheduler.WaitForBackgroundAsync();

        Assert.Single(_client.Bindings);
        var condition = Assert.Single(_client.UnschedulableConditions);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu.", condition.Message);
        Assert.Equal(1, scheduler.Metrics.UnschedulableAttempts);
        Assert.Equal(1, scheduler.Queue.UnschedulableCount);
    }

    [Fact]
    public async Task ScheduleOne_Unschedulable_RecordsFailedSchedulingWithPostFilterMessage()
    {
        using var scheduler = NewScheduler(
            new FakeFilter("Taints", (_, n) => n.Name == "cp" ? Status.Unschedulable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }") : Status.Success),
            new FakeFilter("Fit", FitsCpu),
            new FakePostFilter("preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."));
        scheduler.OnNodeAdd(NodeBuilder.Node("cp").Build());
        scheduler.OnNodeAdd(NodeBuilder.Node("w1").Allocatable(("cpu", "1")).Build());
        scheduler.OnNodeAdd(NodeBuilder.Node("w2").Allocatable(("cpu", "1")).Build());
        scheduler.OnPodAdd(PodBuilder.Pod("big").Req(("cpu", "2")));

        await scheduler.ScheduleOneAsync(new CancellationTokenSource(Deadline).Token);
        await scheduler.WaitForBackgroundAsync();

        const string expected = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. "
            + "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
        var ev = Assert.Single(_events.Events);
        Assert.Equal(("Warning", "FailedScheduling", expected), (ev.Type, ev.Reason, ev.Message));
        Assert.Equal(expected, Assert.Single(_client.UnschedulableConditions).Message);
        Assert.Empty(_client.Bindings);
    }

    [Fact]
    public async Task UnschedulablePod_MovesBackOnlyForEventsItsRejectorRegistered()
    {
        using var scheduler = NewScheduler(new FakeFilter("Fit", FitsCpu, new ClusterEvent(EventResource.Node, ActionType.Add | ActionType.UpdateNodeAllocatable, "")));
        var small = NodeBuilder.Node("a").Allocatable(("cpu", "1")).Build();
        scheduler.OnNodeAdd(small);
        scheduler.OnPodAdd(PodBuilder.Pod("big").Req(("cpu", "2")));
        await scheduler.ScheduleOneAsync(new CancellationTokenSource(Deadline).Token);
        Assert.Equal(1, scheduler.Queue.UnschedulableCount);

        var relabelled = NodeBuilder.Node("a").Allocatable(("cpu", "1")).Label("x", "y").Build();
        scheduler.OnNodeUpdate(small, relabelled);
        Assert.Equal(1, scheduler.Queue.UnschedulableCount);

        var bigger = NodeBuilder.Node("a").Allocatable(("cpu", "4")).Label("x", "y").Build();
        scheduler.OnNodeUpdate(relabelled, bigger);
        Assert.Equal(0, scheduler.Queue.UnschedulableCount);
        Assert.Equal(1, scheduler.Queue.BackoffCount + scheduler.Queue.ActiveCount);
    }

    [Fact]
    public async Task ScheduleOne_NoNodes_BacksOffWithError()
    {
        using var scheduler = NewScheduler();
        scheduler.OnPodAdd(PodBuilder.Pod("p"));

        await scheduler.ScheduleOneAsync(new CancellationTokenSource(Deadline).Token);

        Assert.Equal(1, scheduler.Metrics.ErrorAttempts);
        Assert.Equal(1, scheduler.Queue.BackoffCount);
        Assert.Contains(_events.Events, e => e.Reason == "FailedScheduling" && e.Message == PodScheduler.NoNodesAvailableMessage);
    }

    [Fact]
    public async Task ScheduleOne_PodForAnotherScheduler_IsNotQueued()
    {
        using var scheduler = NewScheduler();
        scheduler.OnNodeAdd(NodeBuilder.Node("a").Build());
        scheduler.OnPodAdd(PodBuilder.Pod("other").SchedulerName("someone-else"));

        Assert.Equal(0, scheduler.Queue.ActiveCount);
    }

    [Fact]
    public async Task BoundPodObserved_ConfirmsAssumedPod()
    {
        using var scheduler = NewScheduler();
        scheduler.OnNodeAdd(NodeBuilder.Node("a").Build());
        var pod = PodBuilder.Pod("web").Build();
        scheduler.OnPodAdd(pod);
        await scheduler.ScheduleOneAsync(new CancellationTokenSource(Deadline).Token);
        await scheduler.WaitForBackgroundAsync();
        Assert.Equal(1, scheduler.Cache.AssumedPodCount);

        var bound = PodBuilder.Pod("web").Node("a").Build();
        scheduler.OnPodUpdate(pod, bound);

        Assert.Equal(0, scheduler.Cache.AssumedPodCount);
        Assert.Equal(1, scheduler.Cache.PodCount);
    }

    [Fact]
    public async Task Permit_WaitTimesOut_UnreservesAndRequeues()
    {
        using var scheduler = NewScheduler(new FakePermit(TimeSpan.FromSeconds(5)));
        scheduler.OnNodeAdd(NodeBuilder.Node("a").Build());
        scheduler.OnPodAdd(PodBuilder.Pod("p"));
        await scheduler.ScheduleOneAsync(new CancellationTokenSource(Deadline).Token);
        Assert.Equal(1, scheduler.BindingsInFlight);

        _time.Advance(TimeSpan.FromSeconds(6));
        await scheduler.WaitForBackgroundAsync().WaitAsync(Deadline);

        Assert.Empty(_client.Bindings);
        Assert.Equal(0, scheduler.Cache.PodCount);
        // The failed binding freed room and raised a move request during the pod's cycle, so it backs off.
        Assert.Equal(1, scheduler.Queue.BackoffCount);
        Assert.Contains(_events.Events, e => e.Reason == "FailedScheduling" && e.Message.Contains("rejected due to timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_SchedulesPodsUntilCancelled()
    {
        using var scheduler = NewScheduler();
        scheduler.OnNodeAdd(NodeBuilder.Node("a").Build());
        using var cts = new CancellationTokenSource(Deadline);
        var run = scheduler.RunAsync(cts.Token);
        for (var i = 0; i < 20; i++) scheduler.OnPodAdd(PodBuilder.Pod($"p{i}"));

        while (_client.Bindings.Count < 20 && !cts.IsCancellationRequested) await Task.Delay(10, CancellationToken.None);
        await cts.CancelAsync();
        await run.WaitAsync(Deadline);

        Assert.Equal(20, _client.Bindings.Count);
    }

    [Fact]
    public void Constructor_WithUnknownPlugin_Throws()
    {
        var config = Fakes.Config("Missing");
        var error = Assert.Throws<SchedulerConfigurationException>(() => new PodScheduler(config, Fakes.Registry(), _client, _events, _time));
        Assert.Contains("plugin \"Missing\" does not exist", error.Message, StringComparison.Ordinal);
    }
}
