using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins.DefaultPreemption;
using Navarch.Scheduler.Tests.Testing;
using AffinityPlugin = Navarch.Scheduler.Plugins.InterPodAffinity.InterPodAffinity;
using Plugin = Navarch.Scheduler.Plugins.DefaultPreemption.DefaultPreemption;

namespace Navarch.Scheduler.Tests.Plugins.DefaultPreemption;

public sealed class DefaultPreemptionTests
{
    private static readonly DateTime Earlier = new(2025, 12, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Later = new(2025, 12, 2, 0, 0, 0, DateTimeKind.Utc);

    private static NodeBuilder Node(string name, string cpu = "2") =>
        NodeBuilder.Node(name).Allocatable(("cpu", cpu), ("memory", "8Gi"), ("pods", "110"));

    private static PodBuilder Pod(string name, int priority, string cpu = "1", DateTime? started = null) =>
        PodBuilder.Pod(name).Priority(priority).Req(("cpu", cpu)).Configure(p => p.Status.StartTime = started ?? Earlier);

    private static Plugin NewPlugin(PreemptionTestHandle handle, string? args = null, int offset = 0)
    {
        using var doc = args is null ? null : JsonDocument.Parse(args);
        return new Plugin(DefaultPreemptionArgs.Parse(doc?.RootElement), handle, _ => offset);
    }

    /// <summary>Runs a scheduling attempt's PreFilter and Filter, then PostFilter with the rejected nodes' statuses.</summary>
    private static async Task<(PostFilterResult? Result, Status Status)> PreemptAsync(
        PreemptionTestHandle handle, V1Pod pod, Plugin? plugin = null, NodeToStatus? statuses = null)
    {
        var state = handle.PreFilter(pod);
        statuses ??= handle.FilterAll(state, pod);
        return await (plugin ?? NewPlugin(handle)).PostFilterAsync(state, pod, statuses, CancellationToken.None);
    }

    [Fact]
    public async Task PostFilter_EvictsLowerPriorityPodAndNominatesItsNode()
    {
        var handle = new PreemptionTestHandle(
            Node("n1").WithPod(Pod("low", 1, "2")).Info(),
            Node("n2").WithPod(Pod("high", 100, "2")).Info()).With(new FakeResourceFit());
        var preemptor = Pod("preemptor", 10, "2").Build();

        var (result, status) = await PreemptAsync(handle, preemptor);

        Assert.True(status.IsSuccess, status.ToString());
        Assert.Equal("n1", result?.NominatedNodeName);
        Assert.Equal(["default/low"], handle.FakeClient.DeletedVictims);
        Assert.Equal("n1", handle.FakeClient.Nominations["default/preemptor"]);
        var evt = Assert.Single(handle.Events);
        Assert.Equal(("default/low", "Normal", "Preempted", "Preempting", "Preempted by pod uid-default-preemptor on node n1"), evt);
    }

    [Fact]
    public async Task PostFilter_ReprievesVictimsThatCanStay_HighestPriorityFirst()
    {
        var handle = new PreemptionTestHandle(
            Node("n1", "3").WithPod(Pod("p1", 1)).WithPod(Pod("p2", 2)).WithPod(Pod("p3", 3)).Info()).With(new FakeResourceFit());

        var (_, status) = await PreemptAsync(handle, Pod("preemptor", 10));

        Assert.True(status.IsSuccess, status.ToString());
        Assert.Equal(["default/p1"], handle.FakeClient.DeletedVictims);
    }

    [Fact]
    public async Task PostFilter_PreemptionPolicyNever_IsNotEligible()
    {
        var handle = new PreemptionTestHandle(Node("n1").WithPod(Pod("low", 1, "2")).Info()).With(new FakeResourceFit());
        var pod = Pod("preemptor", 10, "2").Configure(p => p.Spec.PreemptionPolicy = "Never").Build();

        var (result, status) = await PreemptAsync(handle, pod);

        Assert.Null(result);
        Assert.Equal(StatusCode.Unschedulable, status.Code);
        Assert.Equal("preemption: not eligible due to preemptionPolicy=Never.", status.Message);
        Assert.Empty(handle.FakeClient.DeletedVictims);
    }

    [Fact]
    public async Task PostFilter_NominatedNodeWithPodsTerminatingByPreemption_WaitsInsteadOfPreempting()
    {
        var terminating = Pod("going", 1, "2").Configure(p =>
        {
            p.Metadata.DeletionTimestamp = Later;
            p.Status.Conditions = [new V1PodCondition { Type = "DisruptionTarget", Status = "True", Reason = "PreemptionByScheduler" }];
        });
        var handle = new PreemptionTestHandle(Node("n1").WithPod(terminating).Info()).With(new FakeResourceFit());
        var pod = Pod("preemptor", 10, "2").Configure(p => p.Status.NominatedNodeName = "n1").Build();

        var (_, status) = await PreemptAsync(handle, pod);

        Assert.Equal("preemption: not eligible due to a terminating pod on the nominated node.", status.Message);
    }

    [Fact]
    public async Task PostFilter_NoLowerPriorityPods_ReportsNoVictims()
    {
        var handle = new PreemptionTestHandle(
            Node("n1").WithPod(Pod("a", 10, "2")).Info(),
            Node("n2").WithPod(Pod("b", 20, "2")).Info()).With(new FakeResourceFit());

        var (result, status) = await PreemptAsync(handle, Pod("preemptor", 10, "2"));

        Assert.Null(result);
        Assert.Equal(StatusCode.Unschedulable, status.Code);
        Assert.Equal("preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.", status.Message);
    }

    [Fact]
    public async Task PostFilter_UnresolvableNodes_AreNotTriedAndCountedAsNotHelpful()
    {
        var handle = new PreemptionTestHandle(
            Node("n1").WithPod(Pod("a", 10, "2")).Info(),
            Node("n2").WithPod(Pod("b", 1, "2")).Info(),
            Node("n3").WithPod(Pod("c", 1, "2")).Info()).With(new FakeResourceFit());
        var statuses = new NodeToStatus();
        statuses.Set("n1", Status.Unschedulable("Insufficient cpu"));
        statuses.Set("n2", Status.UnschedulableAndUnresolvable("node(s) didn't match Pod's node affinity/selector"));
        statuses.Set("n3", Status.UnschedulableAndUnresolvable("node(s) didn't match Pod's node affinity/selector"));

        var (_, status) = await PreemptAsync(handle, Pod("preemptor", 10, "2"), statuses: statuses);

        Assert.Equal(
            "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
            status.Message);
        Assert.Empty(handle.FakeClient.DeletedVictims);
    }

    [Fact]
    public async Task PostFilter_PodTooBigEvenWithoutVictims_ReportsTheFilterReason()
    {
        var handle = new PreemptionTestHandle(Node("n1").WithPod(Pod("low", 1)).Info()).With(new FakeResourceFit());

        var (_, status) = await PreemptAsync(handle, Pod("preemptor", 10, "3"));

        Assert.Equal("preemption: 0/1 nodes are available: 1 Insufficient cpu.", status.Message);
    }

    [Fact]
    public async Task PostFilter_NoUnschedulableNode_ClearsStaleNomination()
    {
        var handle = new PreemptionTestHandle(Node("n1").Info()).With(new FakeResourceFit());
        var pod = Pod("preemptor", 10, "2").Configure(p => p.Status.NominatedNodeName = "gone").Build();
        var statuses = new NodeToStatus();
        statuses.Set("n1", Status.UnschedulableAndUnresolvable("node(s) were unschedulable"));

        var (_, status) = await PreemptAsync(handle, pod, statuses: statuses);

        Assert.Equal("preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.", status.Message);
        Assert.Null(handle.FakeClient.Nominations["default/preemptor"]);
    }

    [Fact]
    public async Task PostFilter_PrefersNodeWhoseHighestVictimPriorityIsLowest()
    {
        var handle = new PreemptionTestHandle(
            Node("n1").WithPod(Pod("n1-p", 5, "2")).Info(),
            Node("n2").WithPod(Pod("n2-p", 3, "2")).Info()).With(new FakeResourceFit());

        var (result, _) = await PreemptAsync(handle, Pod("preemptor", 10, "2"));

        Assert.Equal("n2", result?.NominatedNodeName);
    }

    [Fact]
    public async Task PostFilter_SameHighestPriority_PrefersLowestPrioritySum()
    {
        var handle = new PreemptionTestHandle(
            Node("n1").WithPod(Pod("n1-a", 5)).WithPod(Pod("n1-b", 4)).Info(),
            Node("n2").WithPod(Pod("n2-a", 5)).WithPod(Pod("n2-b", 2)).Info()).With(new FakeResourceFit());

        var (result, _) = await PreemptAsync(handle, Pod("preemptor", 10, "2"));

        Assert.Equal("n2", result?.NominatedNodeName);
    }

    [Fact]
    public async Task PostFilter_NegativePriorities_FewerVictimsWinOverLowerSum()
    {
        // Without the 2^31 offset, two victims at -10 would "sum" lower than one at -10.
        var handle = new PreemptionTestHandle(
            Node("n1", "2").WithPod(Pod("n1-a", -10)).WithPod(Pod("n1-b", -10)).Info(),
            Node("n2", "2").WithPod(Pod("n2-a", -10, "2")).Info()).With(new FakeResourceFit());

        var (result, _) = await PreemptAsync(handle, Pod("preemptor", 10, "2"));

        Assert.Equal("n2", result?.NominatedNodeName);
    }

    [Fact]
    public async Task PostFilter_AllElseEqual_PrefersNodeWhoseVictimsStartedLatest()
    {
        var handle = new PreemptionTestHandle(
            Node("n1").WithPod(Pod("old", 5, "2", Earlier)).Info(),
            Node("n2").WithPod(Pod("new", 5, "2", Later)).Info()).With(new FakeResourceFit());

        var (result, _) = await PreemptAsync(handle, Pod("preemptor", 10, "2"));

        Assert.Equal("n2", result?.NominatedNodeName);
        Assert.Equal(["default/new"], handle.FakeClient.DeletedVictims);
    }

    [Fact]
    public async Task PostFilter_ClearsLowerPriorityNominationsOnTheChosenNode()
    {
        var handle = new PreemptionTestHandle(Node("n1", "4").WithPod(Pod("low", 1, "4")).Info()).With(new FakeResourceFit());
        handle.FakeNominator.AddNominatedPod(new PodInfo(Pod("waiting-low", 5, "1")), "n1");
        handle.FakeNominator.AddNominatedPod(new PodInfo(Pod("waiting-high", 50, "1")), "n1");

        var (result, status) = await PreemptAsync(handle, Pod("preemptor", 10, "2"));

        Assert.True(status.IsSuccess, status.ToString());
        Assert.Equal("n1", result?.NominatedNodeName);
        Assert.Null(handle.FakeClient.Nominations["default/waiting-low"]);
        Assert.False(handle.FakeClient.Nominations.ContainsKey("default/waiting-high"));
    }

    [Fact]
    public async Task PostFilter_AntiAffinityToLowerPriorityPod_IsResolvedThroughPreFilterExtensions()
    {
        var anti = new V1Affinity
        {
            PodAntiAffinity = new V1PodAntiAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PodAffinityTerm
                    {
                        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "batch" } },
                        TopologyKey = "kubernetes.io/hostname",
                    },
                ],
            },
        };
        var handle = new PreemptionTestHandle(
            Node("n1", "4").WithPod(Pod("batch", 1).Label("app", "batch")).WithPod(Pod("other", 1)).Info());
        handle.With(new FakeResourceFit(), AffinityPlugin.New(null, handle));
        var preemptor = Pod("preemptor", 10).Affinity(anti).Build();

        var (result, status) = await PreemptAsync(handle, preemptor);

        // Only the pod the anti-affinity selects has to go; the other is reprieved.
        Assert.True(status.IsSuccess, status.ToString());
        Assert.Equal("n1", result?.NominatedNodeName);
        Assert.Equal(["default/batch"], handle.FakeClient.DeletedVictims);
    }

    [Fact]
    public async Task PostFilter_StopsAfterEnoughCandidates_StartingAtTheOffset()
    {
        var nodes = Enumerable.Range(0, 5).Select(i => Node($"n{i}").WithPod(Pod($"low{i}", 1, "2")).Info()).ToArray();
        var handle = new PreemptionTestHandle(nodes).With(new FakeResourceFit());

        // One candidate wanted (percentage 0, absolute 1): the search starts at node 3 and stops there.
        var plugin = NewPlugin(handle, """{"minCandidateNodesPercentage": 0, "minCandidateNodesAbsolute": 1}""", offset: 3);
        var (result, _) = await PreemptAsync(handle, Pod("preemptor", 10, "2"), plugin);

        Assert.Equal("n3", result?.NominatedNodeName);
    }

    [Theory]
    [InlineData("""{"minCandidateNodesPercentage": 101}""", "minCandidateNodesPercentage: Invalid value: 101: not in valid range [0, 100]")]
    [InlineData("""{"minCandidateNodesAbsolute": -1}""", "minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, inf)")]
    [InlineData("""{"minCandidateNodesPercentage": 0, "minCandidateNodesAbsolute": 0}""", "cannot be zero at the same time")]
    public void New_InvalidArgs_Throw(string args, string message)
    {
        using var doc = JsonDocument.Parse(args);

        var error = Assert.Throws<ArgumentException>(() => Plugin.New(doc.RootElement, new PreemptionTestHandle()));

        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData(50, 10, 100, 50)]
    [InlineData(5000, 10, 100, 500)]
    [InlineData(500, 10, 100, 100)]
    [InlineData(500, 0, 1, 1)]
    public void NumCandidates_IsPercentageWithAbsoluteFloorCappedAtNodes(int nodes, int percentage, int absolute, int expected)
    {
        Assert.Equal(expected, new DefaultPreemptionArgs(percentage, absolute).NumCandidates(nodes));
    }
}
