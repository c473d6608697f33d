using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Queue;
using Navarch.Scheduler.Tests.Core;
using Navarch.Scheduler.Tests.Testing;

namespace Navarch.Scheduler.Tests.Queue;

public sealed class SchedulingQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private SchedulingQueue NewQueue(Func<QueuedPodInfo, ClusterEvent, bool>? isInterested = null) =>
        new(new FakeSort().Less, _time, preEnqueue: pod => new FakeGate().PreEnqueue(pod).WithPlugin("FakeGate"), isInterested: isInterested);

    private static CancellationToken Ct => new CancellationTokenSource(Deadline).Token;

    [Fact]
    public async Task Pop_ReturnsHigherPriorityFirstThenOlder()
    {
        using var queue = NewQueue();
        queue.Add(PodBuilder.Pod("low").Priority(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        queue.Add(PodBuilder.Pod("high").Priority(10));
        _time.Advance(TimeSpan.FromSeconds(1));
        queue.Add(PodBuilder.Pod("low2").Priority(1));

        Assert.Equal("high", (await queue.PopAsync(Ct))!.PodInfo.Pod.Metadata.Name);
        Assert.Equal("low", (await queue.PopAsync(Ct))!.PodInfo.Pod.Metadata.Name);
        Assert.Equal("low2", (await queue.PopAsync(Ct))!.PodInfo.Pod.Metadata.Name);
    }

    [Fact]
    public async Task Pop_WaitsForAdd()
    {
        using var queue = NewQueue();
        var pop = queue.PopAsync(Ct).AsTask();
        Assert.False(pop.IsCompleted);

        queue.Add(PodBuilder.Pod("p"));

        Assert.Equal("p", (await pop.WaitAsync(Deadline))!.PodInfo.Pod.Metadata.Name);
    }

    [Fact]
    public async Task Close_ReleasesWaitingPopWithNull()
    {
        var queue = NewQueue();
        var pop = queue.PopAsync(Ct).AsTask();
        queue.Close();
        Assert.Null(await pop.WaitAsync(Deadline));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 10)]
    [InlineData(12, 10)]
    public void BackoffDuration_DoublesFromInitialUpToMax(int attempts, int seconds)
    {
        using var queue = NewQueue();
        Assert.Equal(TimeSpan.FromSeconds(seconds), queue.BackoffDuration(attempts));
    }

    [Fact]
    public async Task Unschedulable_WithoutMoveRequest_WaitsForEvent_ThenBacksOff()
    {
        using var queue = NewQueue((pod, ev) => ev.Resource == EventResource.Node);
        queue.Add(PodBuilder.Pod("p"));
        var qpi = (await queue.PopAsync(Ct))!;
        qpi.UnschedulablePlugins.Add("Fit");
        Assert.True(queue.AddUnschedulableIfNotPresent(qpi, queue.SchedulingCycle));
        Assert.Equal(1, queue.UnschedulableCount);

        queue.MoveAllToActiveOrBackoffQueue(ClusterEvents.AssignedPodDelete);
        Assert.Equal(1, queue.UnschedulableCount);

        queue.MoveAllToActiveOrBackoffQueue(ClusterEvents.NodeAdd);
        Assert.Equal(0, queue.UnschedulableCount);
        Assert.Equal(1, queue.BackoffCount);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        queue.FlushBackoffQCompleted();
        Assert.Equal(1, queue.BackoffCount);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        queue.FlushBackoffQCompleted();
        Assert.Equal(1, queue.ActiveCount);
    }

    [Fact]
    public async Task Unschedulable_WithMoveRequestDuringCycle_GoesToBackoff()
    {
        using var queue = NewQueue();
        queue.Add(PodBuilder.Pod("p"));
        var qpi = (await queue.PopAsync(Ct))!;
        var cycle = queue.SchedulingCycle;
        queue.MoveAllToActiveOrBackoffQueue(ClusterEvents.NodeAdd);
        qpi.UnschedulablePlugins.Add("Fit");

        queue.AddUnschedulableIfNotPresent(qpi, cycle);

        Assert.Equal(0, queue.UnschedulableCount);
        Assert.Equal(1, queue.BackoffCount);
    }

    [Fact]
    public async Task ErrorWithoutRejector_GoesToBackoff()
    {
        using var queue = NewQueue();
        queue.Add(PodBuilder.Pod("p"));
        var qpi = (await queue.PopAsync(Ct))!;
        queue.AddUnschedulableIfNotPresent(qpi, queue.SchedulingCycle);
        Assert.Equal(1, queue.BackoffCount);
    }

    [Fact]
    public async Task UnschedulableTimeout_FlushesAfterFiveMinutes()
    {
        using var queue = NewQueue((_, _) => false);
        queue.Run();
        queue.Add(PodBuilder.Pod("p"));
        var qpi = (await queue.PopAsync(Ct))!;
        qpi.UnschedulablePlugins.Add("Fit");
        queue.AddUnschedulableIfNotPresent(qpi, queue.SchedulingCycle);

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(1, queue.UnschedulableCount);
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(30));
        Assert.Equal(0, queue.UnschedulableCount);
        Assert.Equal(1, queue.ActiveCount);
    }

    [Fact]
    public void GatedPod_StaysUnschedulableUntilUpdateRemovesGate()
    {
        using var queue = NewQueue();
        var gated = PodBuilder.Pod("p").Label("gated", "true").Build();
        queue.Add(gated);
        Assert.Equal((0, 0, 0, 1), queue.PendingPods());

        queue.MoveAllToActiveOrBackoffQueue(ClusterEvents.NodeAdd);
        Assert.Equal(0, queue.ActiveCount);

        var ungated = PodBuilder.Pod("p").Build();
        queue.Update(gated, ungated);
        Assert.Equal((1, 0, 0, 0), queue.PendingPods());
    }

    [Fact]
    public async Task Delete_DuringCycle_DropsPodInsteadOfRequeueing()
    {
        using var queue = NewQueue();
        var pod = PodBuilder.Pod("p").Build();
        queue.Add(pod);
        var qpi = (await queue.PopAsync(Ct))!;
        queue.Delete(pod);

        Assert.False(queue.AddUnschedulableIfNotPresent(qpi, queue.SchedulingCycle));
        Assert.Empty(queue.PendingPodList());
    }

    [Fact]
    public async Task AssignedPodAdded_MovesOnlyPodsWhoseAffinityMatches()
    {
        using var queue = NewQueue();
        var affinity = new V1Affinity
        {
            PodAffinity = new V1PodAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PodAffinityTerm
                    {
                        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } },
                        TopologyKey = "kubernetes.io/hostname",
                    },
                ],
            },
        };
        queue.Add(PodBuilder.Pod("wants-db").Affinity(affinity));
        queue.Add(PodBuilder.Pod("plain"));
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var qpi = (await queue.PopAsync(Ct))!;
            qpi.UnschedulablePlugins.Add("InterPodAffinity");
            queue.AddUnschedulableIfNotPresent(qpi, queue.SchedulingCycle);
        }

        queue.AssignedPodAdded(PodBuilder.Pod("other").Label("app", "web").Node("n"));
        Assert.Equal(2, queue.UnschedulableCount);

        queue.AssignedPodAdded(PodBuilder.Pod("db").Label("app", "db").Node("n"));
        Assert.Equal(1, queue.UnschedulableCount);
        Assert.Equal(1, queue.BackoffCount);
    }

    [Fact]
    public async Task Update_OfUnschedulablePodWithSpecChange_MovesIt()
    {
        using var queue = NewQueue();
        var pod = PodBuilder.Pod("p").Build();
        queue.Add(pod);
        var qpi = (await queue.PopAsync(Ct))!;
        qpi.UnschedulablePlugins.Add("Fit");
        queue.AddUnschedulableIfNotPresent(qpi, queue.SchedulingCycle);

        var statusOnly = PodBuilder.Pod("p").Build();
        statusOnly.Status.Message = "x";
        queue.Update(pod, statusOnly);
        Assert.Equal(1, queue.UnschedulableCount);

        var relabelled = PodBuilder.Pod("p").Label("a", "b").Build();
        queue.Update(statusOnly, relabelled);
        Assert.Equal(0, queue.UnschedulableCount);
    }

    [Fact]
    public void Nominator_TracksPodsByNode()
    {
        var nominator = new PodNominator();
        var pod = new PodInfo(PodBuilder.Pod("p"));
        nominator.AddNominatedPod(pod, "n1");
        Assert.Single(nominator.NominatedPodsForNode("n1"));

        nominator.AddNominatedPod(pod, "n2");
        Assert.Empty(nominator.NominatedPodsForNode("n1"));
        Assert.Single(nominator.NominatedPodsForNode("n2"));

        nominator.DeleteNominatedPodIfExists(pod.Pod);
        Assert.Empty(nominator.NominatedPodsForNode("n2"));
    }
}
