using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.NodeResourcesFit.NodeResourcesFit;

namespace Navarch.Scheduler.Tests.Plugins.NodeResourcesFit;

public sealed class NodeResourcesFitTests
{
    private readonly Plugin _plugin = (Plugin)Plugin.New(null, new PluginTestHandle());

    /// <summary>A node with 10 cpu, 20 bytes of memory, 32 pods and 5 example.com/foo, and a pod using 5 cpu / 19 bytes.</summary>
    private static NodeBuilder UsedNode(string name = "n") => NodeBuilder.Node(name)
        .Allocatable(("cpu", "10"), ("memory", "20"), ("pods", "32"), ("example.com/foo", "5"), ("ephemeral-storage", "20"))
        .WithPod(PodBuilder.Pod("existing").Req(("cpu", "5"), ("memory", "19")));

    private static Status Filter(Plugin plugin, PodBuilder pod, NodeInfo node) => PluginTestRunner.Filter(plugin, pod, node);

    [Fact]
    public void Filter_PodWithoutRequests_Fits()
    {
        Assert.True(Filter(_plugin, PodBuilder.Pod("p"), UsedNode().Info()).IsSuccess);
    }

    [Fact]
    public void Filter_EnoughResources_Fits()
    {
        Assert.True(Filter(_plugin, PodBuilder.Pod("p").Req(("cpu", "5"), ("memory", "1")), UsedNode().Info()).IsSuccess);
    }

    [Fact]
    public void Filter_TooLittleCpu_ReportsInsufficientCpu()
    {
        var status = Filter(_plugin, PodBuilder.Pod("p").Req(("cpu", "5001m"), ("memory", "1")), UsedNode().Info());

        Assert.Equal(StatusCode.Unschedulable, status.Code);
        Assert.Equal(["Insufficient cpu"], status.Reasons);
    }

    [Fact]
    public void Filter_SeveralShortResources_ReportsEveryReasonInOrder()
    {
        var pod = PodBuilder.Pod("p").Req(("cpu", "6"), ("memory", "2"), ("ephemeral-storage", "21"), ("example.com/foo", "6"));

        var status = Filter(_plugin, pod, UsedNode().Info());

        Assert.Equal(
            ["Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage", "Insufficient example.com/foo"],
            status.Reasons);
        Assert.Equal("Insufficient cpu, Insufficient memory, Insufficient ephemeral-storage, Insufficient example.com/foo", status.Message);
    }

    [Fact]
    public void Filter_ExtendedResourceMissingFromNode_IsInsufficient()
    {
        var status = Filter(_plugin, PodBuilder.Pod("p").Req(("example.com/gpu", "1")), UsedNode().Info());
        Assert.Equal(["Insufficient example.com/gpu"], status.Reasons);
    }

    [Fact]
    public void Filter_ResourceRequestedAtZero_IsNeverInsufficient()
    {
        var node = NodeBuilder.Node("n").Allocatable(("pods", "10")).Info();
        var pod = PodBuilder.Pod("p").Req(("cpu", "0"), ("memory", "0"), ("example.com/gpu", "0"));

        Assert.True(Filter(_plugin, pod, node).IsSuccess);
    }

    [Fact]
    public void Filter_NodeFullOfPods_ReportsTooManyPodsAlongsideResources()
    {
        var node = UsedNode().Allocatable(("cpu", "10"), ("memory", "20"), ("pods", "1")).Info();

        var empty = Filter(_plugin, PodBuilder.Pod("p"), node);
        var big = Filter(_plugin, PodBuilder.Pod("p").Req(("cpu", "6")), node);

        Assert.Equal(["Too many pods"], empty.Reasons);
        Assert.Equal(StatusCode.Unschedulable, empty.Code);
        Assert.Equal(["Too many pods", "Insufficient cpu"], big.Reasons);
    }

    [Theory]
    [InlineData("5", true)]
    [InlineData("6", false)]
    public void Filter_InitContainerCountsAsMaxNotSum(string initCpu, bool fits)
    {
        var pod = PodBuilder.Pod("p").Req(("cpu", "1")).InitReq(false, ("cpu", initCpu));
        Assert.Equal(fits, Filter(_plugin, pod, UsedNode().Info()).IsSuccess);
    }

    [Fact]
    public void Filter_SidecarAddsToAppContainers()
    {
        var pod = PodBuilder.Pod("p").Req(("cpu", "4")).InitReq(true, ("cpu", "2"));
        Assert.Equal(["Insufficient cpu"], Filter(_plugin, pod, UsedNode().Info()).Reasons);
    }

    [Fact]
    public void Filter_OverheadCounts()
    {
        var pod = PodBuilder.Pod("p").Req(("cpu", "4")).Overhead(("cpu", "1500m"));
        Assert.Equal(["Insufficient cpu"], Filter(_plugin, pod, UsedNode().Info()).Reasons);
    }

    [Fact]
    public void Filter_IgnoredResourcesAndGroups_AreNotChecked()
    {
        var plugin = (Plugin)Plugin.New(
            PluginTestRunner.Args("""{"ignoredResources": ["example.com/gpu"], "ignoredResourceGroups": ["vendor.io"]}"""),
            new PluginTestHandle());
        var pod = PodBuilder.Pod("p").Req(("example.com/gpu", "1"), ("vendor.io/fpga", "2"), ("other.io/x", "1"));

        Assert.Equal(["Insufficient other.io/x"], Filter(plugin, pod, UsedNode().Info()).Reasons);
    }

    [Fact]
    public void Filter_WithoutPreFilter_IsError()
    {
        Assert.Equal(StatusCode.Error, _plugin.Filter(new CycleState(), PodBuilder.Pod("p"), UsedNode().Info()).Code);
    }

    /// <summary>Kubernetes' "nothing scheduled, resources requested, differently sized nodes" scoring case.</summary>
    private static long[] ScoreDifferentlySizedNodes(Plugin plugin)
    {
        var pod = PodBuilder.Pod("p").Req(("cpu", "1000m"), ("memory", "2000")).Container2(("cpu", "2000m"), ("memory", "3000"));
        return PluginTestRunner.Scores(
            plugin,
            pod,
            NodeBuilder.Node("node1").Allocatable(("cpu", "4000m"), ("memory", "10000"), ("pods", "110")).Info(),
            NodeBuilder.Node("node2").Allocatable(("cpu", "6000m"), ("memory", "10000"), ("pods", "110")).Info());
    }

    [Fact]
    public void Score_LeastAllocatedByDefault()
    {
        Assert.Equal([37, 50], ScoreDifferentlySizedNodes(_plugin));
    }

    [Fact]
    public void Score_MostAllocated()
    {
        var plugin = (Plugin)Plugin.New(PluginTestRunner.Args("""{"scoringStrategy": {"type": "MostAllocated"}}"""), new PluginTestHandle());
        Assert.Equal([62, 50], ScoreDifferentlySizedNodes(plugin));
    }

    [Fact]
    public void Score_LeastAllocatedHonorsWeights()
    {
        // node1: cpu 25 * 3 + memory 50 * 1 = 125, / 4 = 31; node2: 50.
        var plugin = (Plugin)Plugin.New(PluginTestRunner.Args("""
            {"scoringStrategy": {"type": "LeastAllocated", "resources": [{"name": "cpu", "weight": 3}, {"name": "memory", "weight": 1}]}}
            """), new PluginTestHandle());
        Assert.Equal([31, 50], ScoreDifferentlySizedNodes(plugin));
    }

    [Fact]
    public void Score_RequestedToCapacityRatio_InterpolatesShapeAndRoundsHalfAwayFromZero()
    {
        // Utilization 75% and 50% on node1 score 75 and 50 on a 0->0, 100->10 shape; the mean 62.5 rounds to 63.
        var plugin = (Plugin)Plugin.New(PluginTestRunner.Args("""
            {"scoringStrategy": {"type": "RequestedToCapacityRatio",
              "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 10}]}}}
            """), new PluginTestHandle());
        Assert.Equal([63, 50], ScoreDifferentlySizedNodes(plugin));
    }

    [Fact]
    public void Score_RequestedToCapacityRatio_FlatOutsideShape()
    {
        // Below the first point the first score holds (10 -> 100); above the last the last holds.
        var plugin = (Plugin)Plugin.New(PluginTestRunner.Args("""
            {"scoringStrategy": {"type": "RequestedToCapacityRatio",
              "resources": [{"name": "cpu", "weight": 1}],
              "requestedToCapacityRatio": {"shape": [{"utilization": 60, "score": 10}, {"utilization": 80, "score": 0}]}}}
            """), new PluginTestHandle());
        var pod = PodBuilder.Pod("p").Req(("cpu", "1"));
        var scores = PluginTestRunner.Scores(
            plugin,
            pod,
            NodeBuilder.Node("low").Allocatable(("cpu", "10"), ("memory", "1Gi")).Info(),
            NodeBuilder.Node("mid").Allocatable(("cpu", "10"), ("memory", "1Gi")).WithPod(PodBuilder.Pod("e").Req(("cpu", "6"))).Info(),
            NodeBuilder.Node("high").Allocatable(("cpu", "10"), ("memory", "1Gi")).WithPod(PodBuilder.Pod("e2").Req(("cpu", "8"))).Info());
        Assert.Equal([100, 50, 0], scores);
    }

    [Fact]
    public void Score_CountsNonZeroDefaultsForUnsetRequests()
    {
        // 100m of 4 cpu and 200Mi of 8Gi: (3900 * 100 / 4000 = 97) and (7992Mi * 100 / 8192Mi = 97).
        var scores = PluginTestRunner.Scores(
            _plugin, PodBuilder.Pod("p"), NodeBuilder.Node("n").Allocatable(("cpu", "4"), ("memory", "8Gi")).Info());
        Assert.Equal([97], scores);
    }

    [Fact]
    public void Score_ExtendedResourceNotRequested_IsLeftOut()
    {
        var plugin = (Plugin)Plugin.New(PluginTestRunner.Args("""
            {"scoringStrategy": {"type": "LeastAllocated", "resources": [{"name": "cpu", "weight": 1}, {"name": "example.com/gpu", "weight": 5}]}}
            """), new PluginTestHandle());
        var node = NodeBuilder.Node("n").Allocatable(("cpu", "4"), ("example.com/gpu", "4")).Info();

        Assert.Equal([75], PluginTestRunner.Scores(plugin, PodBuilder.Pod("p").Req(("cpu", "1")), node));

        // Asking for 2 of 4 gpus adds (50 * 5) to (75 * 1): 325 / 6 = 54.
        Assert.Equal([54], PluginTestRunner.Scores(plugin, PodBuilder.Pod("p").Req(("cpu", "1"), ("example.com/gpu", "2")), node));
    }

    [Theory]
    [InlineData("""{"scoringStrategy": {"type": "Bogus"}}""")]
    [InlineData("""{"scoringStrategy": {"type": ""}}""")]
    [InlineData("""{"scoringStrategy": {"type": "LeastAllocated", "resources": [{"name": "cpu", "weight": 101}]}}""")]
    [InlineData("""{"scoringStrategy": {"type": "LeastAllocated", "resources": [{"name": "cpu", "weight": -1}]}}""")]
    [InlineData("""{"scoringStrategy": {"type": "RequestedToCapacityRatio"}}""")]
    [InlineData("""{"scoringStrategy": {"type": "RequestedToCapacityRatio", "requestedToCapacityRatio": {"shape": []}}}""")]
    [InlineData("""{"scoringStrategy": {"type": "RequestedToCapacityRatio", "requestedToCapacityRatio": {"shape": [{"utilization": 50, "score": 1}, {"utilization": 50, "score": 2}]}}}""")]
    [InlineData("""{"scoringStrategy": {"type": "RequestedToCapacityRatio", "requestedToCapacityRatio": {"shape": [{"utilization": 10, "score": 11}]}}}""")]
    [InlineData("""{"scoringStrategy": {"type": "RequestedToCapacityRatio", "requestedToCapacityRatio": {"shape": [{"utilization": 101, "score": 1}]}}}""")]
    [InlineData("""{"ignoredResourceGroups": ["example.com/foo"]}""")]
    [InlineData("""{"ignoredResources": "cpu"}""")]
    [InlineData("""{"unknown": true}""")]
    [InlineData("""{"kind": "NodeAffinityArgs"}""")]
    public void New_InvalidArgs_ThrowsArgumentException(string json)
    {
        var e = Assert.Throws<ArgumentException>(() => Plugin.New(PluginTestRunner.Args(json), new PluginTestHandle()));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void New_AcceptsKindAndApiVersionHeader()
    {
        var plugin = Plugin.New(
            PluginTestRunner.Args("""{"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "NodeResourcesFitArgs"}"""),
            new PluginTestHandle());
        Assert.Equal("NodeResourcesFit", plugin.Name);
    }

    [Fact]
    public void EventsToRegister_PodDeleteAndNodeAddOrAllocatableUpdate()
    {
        var events = _plugin.EventsToRegister();
        Assert.Contains(events, e => e.Covers(ClusterEvent.AssignedPodDelete));
        Assert.Contains(events, e => e.Covers(ClusterEvent.NodeAdd));
        Assert.Contains(events, e => e.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeAllocatable, "x")));
        Assert.DoesNotContain(events, e => e.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeLabel, "x")));
    }
}
