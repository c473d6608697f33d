using Microsoft.Extensions.Time.Testing;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Core;
using Navarch.Scheduler.Plugins;
using Navarch.Scheduler.Tests.Testing;

namespace Navarch.Scheduler.Tests.Core;

/// <summary>The core with the real in-tree plugins and the default configuration.</summary>
public sealed class DefaultProfileTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FakeSchedulerClient _client = new();
    private readonly RecordingEvents _events = new();

    private PodScheduler NewScheduler() =>
        new(SchedulerConfiguration.Default, InTreePlugins.Registry, _client, _events, new FakeTimeProvider(), new Random(7));

    [Fact]
    public async Task DefaultProfile_BindsPodToNodeWithRoom()
    {
        using var scheduler = NewScheduler();
        scheduler.OnNodeAdd(NodeBuilder.Node("full").Allocatable(("cpu", "1"), ("memory", "1Gi"), ("pods", "10")).Build());
        scheduler.OnNodeAdd(NodeBuilder.Node("roomy").Build());
        scheduler.OnPodAdd(PodBuilder.Pod("web").Req(("cpu", "2")));

        await scheduler.ScheduleOneAsync(new CancellationTokenSource(Deadline).Token);
        await scheduler.WaitForBackgroundAsync();

        Assert.Equal(("default/web", "roomy"), Assert.Single(_client.Bindings));
    }

    [Fact]
    public async Task DefaultProfile_Unschedulable_ReportsKubernetesMessage()
    {
        using var scheduler = NewScheduler();
        scheduler.OnNodeAdd(NodeBuilder.Node("cp").Taint("node-role.kubernetes.io/control-plane", null, "NoSchedule").Build());
        scheduler.OnNodeAdd(NodeBuilder.Node("w1").Allocatable(("cpu", "1"), ("memory", "8Gi"), ("pods", "110")).Build());
        scheduler.OnNodeAdd(NodeBuilder.Node("w2").Allocatable(("cpu", "1"), ("memory", "8Gi"), ("pods", "110")).Build());
        scheduler.OnPodAdd(PodBuilder.Pod("big").Req(("cpu", "2")));

        await scheduler.ScheduleOneAsync(new CancellationTokenSource(Deadline).Token);
        await scheduler.WaitForBackgroundAsync();

        Assert.Empty(_client.Bindings);
        var message = Assert.Single(_client.UnschedulableConditions).Message;
        // The preemption part is DefaultPreemption's own text; the core appends it after the filter reasons.
        Assert.StartsWith(
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. "
            + "preemption: 0/3 nodes are available: ",
            message,
            StringComparison.Ordinal);
        Assert.EndsWith(".", message, StringComparison.Ordinal);
        Assert.DoesNotContain("..", message, StringComparison.Ordinal);
    }
}
