using k8s.Models;
using Navarch.Controllers.ReplicaSet;

namespace Navarch.Controllers.Tests.ReplicaSet;

public sealed class ActivePodsRankingTests
{
    private static readonly DateTime Base = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset Now = new(Base.AddDays(10));

    [Fact]
    public void Compare_UnassignedBeforeAssigned()
    {
        var unassigned = Pod("a", node: null, phase: "Running", readySince: Base);
        var assigned = Pod("b", node: "n1", phase: "Pending");
        Assert.True(ActivePodsRanking.Compare(unassigned, assigned) < 0);
        Assert.True(ActivePodsRanking.Compare(assigned, unassigned) > 0);
    }

    [Fact]
    public void Compare_PendingBeforeUnknownBeforeRunning()
    {
        var pending = Pod("a", phase: "Pending");
        var unknown = Pod("b", phase: "Unknown");
        var running = Pod("c", phase: "Running");
        Assert.True(ActivePodsRanking.Compare(pending, unknown) < 0);
        Assert.True(ActivePodsRanking.Compare(unknown, running) < 0);
        Assert.True(ActivePodsRanking.Compare(running, pending) > 0);
    }

    [Fact]
    public void Compare_NotReadyBeforeReady()
    {
        var notReady = Pod("a", restarts: 0);
        var ready = Pod("b", readySince: Base, restarts: 9);
        Assert.True(ActivePodsRanking.Compare(notReady, ready) < 0);
    }

    [Fact]
    public void Compare_ReadyForLessTimeFirst()
    {
        var recent = Pod("a", readySince: Base.AddHours(2));
        var old = Pod("b", readySince: Base);
        Assert.True(ActivePodsRanking.Compare(recent, old) < 0);
        Assert.True(ActivePodsRanking.Compare(old, recent) > 0);
    }

    [Fact]
    public void Compare_HigherRestartCountFirst()
    {
        var crashy = Pod("a", restarts: 5, created: Base);
        var stable = Pod("b", restarts: 1, created: Base.AddHours(1));
        Assert.True(ActivePodsRanking.Compare(crashy, stable) < 0);
    }

    [Fact]
    public void Compare_NewerCreationFirst_MissingTimestampFirstOfAll()
    {
        var older = Pod("a", created: Base);
        var newer = Pod("b", created: Base.AddMinutes(1));
        var missing = Pod("c", created: null);
        Assert.True(ActivePodsRanking.Compare(newer, older) < 0);
        Assert.True(ActivePodsRanking.Compare(missing, newer) < 0);
        Assert.Equal(0, ActivePodsRanking.Compare(older, Pod("d", created: Base)));
    }

    [Fact]
    public void CompareWithRanks_DoubledUpBeforeAlone_AfterReadiness()
    {
        var alone = Pod("a", node: "n1", readySince: Base.AddDays(1));
        var doubled = Pod("b", node: "n2", readySince: Base);
        Assert.True(ActivePodsRanking.CompareWithRanks(doubled, 3, alone, 1, Now) < 0);

        // Readiness still outranks placement.
        var notReady = Pod("c", node: "n1");
        Assert.True(ActivePodsRanking.CompareWithRanks(notReady, 1, doubled, 3, Now) < 0);
    }

    [Fact]
    public void CompareWithRanks_LowerDeletionCostFirst()
    {
        var cheap = Pod("a", readySince: Base, cost: "-5");
        var dear = Pod("b", readySince: Base.AddDays(1), cost: "100");
        Assert.True(ActivePodsRanking.CompareWithRanks(cheap, 0, dear, 5, Now) < 0);
        Assert.Equal(0, ActivePodsRanking.DeletionCost(Pod("c", cost: "not-a-number")));
    }

    [Fact]
    public void CompareWithRanks_SimilarAges_TieBrokenByUid()
    {
        // Ready 100 and 101 seconds ago: the same log2 bucket, so the UID decides, not the exact time.
        var x = Pod("x", readySince: Now.UtcDateTime.AddSeconds(-100), uid: "b-uid");
        var y = Pod("y", readySince: Now.UtcDateTime.AddSeconds(-101), uid: "a-uid");
        Assert.True(ActivePodsRanking.CompareWithRanks(y, 0, x, 0, Now) < 0);
        Assert.True(ActivePodsRanking.Compare(x, y) < 0); // the plain order uses exact times
    }

    [Fact]
    public void RanksBySharedNode_CountsActiveRelatedPodsPerNode()
    {
        var a = Pod("a", node: "n1");
        var b = Pod("b", node: "n1");
        var c = Pod("c", node: "n2");
        var finished = Pod("d", node: "n2", phase: "Succeeded");
        var ranks = ActivePodsRanking.RanksBySharedNode([a, c], [a, b, c, finished]);
        Assert.Equal([2, 1], ranks);
    }

    [Fact]
    public void LeastValuable_PicksUnreadyAndDoubledUpPods()
    {
        var readyAlone = Pod("ready-alone", node: "n1", readySince: Base);
        var readyDoubled1 = Pod("ready-doubled-1", node: "n2", readySince: Base);
        var readyDoubled2 = Pod("ready-doubled-2", node: "n2", readySince: Base);
        var unready = Pod("unready", node: "n3");
        var pods = new[] { readyAlone, readyDoubled1, readyDoubled2, unready };
        var victims = ActivePodsRanking.LeastValuable(pods, pods, 2, Now);
        Assert.Equal("unready", victims[0].Metadata.Name);
        Assert.StartsWith("ready-doubled", victims[1].Metadata.Name);
    }

    [Fact]
    public void LeastValuable_CountAtLeastAll_ReturnsAll()
    {
        var pods = new[] { Pod("a"), Pod("b") };
        Assert.Equal(2, ActivePodsRanking.LeastValuable(pods, [], 5, Now).Count);
        Assert.Empty(ActivePodsRanking.LeastValuable(pods, [], 0, Now));
    }

    private static V1Pod Pod(
        string name,
        string? node = "node",
        string phase = "Running",
        DateTime? readySince = null,
        int restarts = 0,
        DateTime? created = null,
        string? cost = null,
        string? uid = null) => new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "default",
                Uid = uid ?? name + "-uid",
                CreationTimestamp = created,
                Annotations = cost is null ? null : new Dictionary<string, string> { [ActivePodsRanking.DeletionCostAnnotation] = cost },
            },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "i" }] },
            Status = new V1PodStatus
            {
                Phase = phase,
                Conditions = readySince is { } since
                    ? [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = since }]
                    : [new V1PodCondition { Type = "Ready", Status = "False" }],
                ContainerStatuses = [new V1ContainerStatus { Name = "c", Image = "i", ImageID = "", Ready = readySince is not null, RestartCount = restarts }],
            },
        };
}
