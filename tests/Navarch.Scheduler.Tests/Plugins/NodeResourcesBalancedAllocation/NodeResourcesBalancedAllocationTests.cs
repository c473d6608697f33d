using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.NodeResourcesBalancedAllocation.NodeResourcesBalancedAllocation;

namespace Navarch.Scheduler.Tests.Plugins.NodeResourcesBalancedAllocation;

public sealed class NodeResourcesBalancedAllocationTests
{
    private readonly Plugin _plugin = (Plugin)Plugin.New(null, new PluginTestHandle());

    [Fact]
    public void Score_DifferentlySizedNodes_MatchesKubernetes()
    {
        // cpu 3/4 and memory 5000/10000 on node1: std 0.125 -> 87; node2 is even at 0.5/0.5 -> 100.
        var pod = PodBuilder.Pod("p").Req(("cpu", "1000m"), ("memory", "2000")).Container2(("cpu", "2000m"), ("memory", "3000"));

        var scores = PluginTestRunner.Scores(
            _plugin,
            pod,
            NodeBuilder.Node("node1").Allocatable(("cpu", "4000m"), ("memory", "10000")).Info(),
            NodeBuilder.Node("node2").Allocatable(("cpu", "6000m"), ("memory", "10000")).Info());

        Assert.Equal([87, 100], scores);
    }

    [Fact]
    public void Score_CountsExistingPodsRealRequests()
    {
        // The existing pod has no requests, so it adds nothing (no non-zero defaults): cpu 1/4, memory 5000/10000.
        var pod = PodBuilder.Pod("p").Req(("cpu", "1"), ("memory", "5000"));
        var node = NodeBuilder.Node("n").Allocatable(("cpu", "4"), ("memory", "10000")).WithPod(PodBuilder.Pod("e")).Info();

        Assert.Equal([87], PluginTestRunner.Scores(_plugin, pod, node));
    }

    [Fact]
    public void Score_ThreeResources_UsesStandardDeviation()
    {
        // Fractions 0.5, 0.25, 0.75: std = sqrt(0.125 / 3) = 0.2041 -> 79.
        var plugin = (Plugin)Plugin.New(PluginTestRunner.Args("""
            {"resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}, {"name": "example.com/gpu", "weight": 1}]}
            """), new PluginTestHandle());
        var pod = PodBuilder.Pod("p").Req(("cpu", "2"), ("memory", "25"), ("example.com/gpu", "3"));
        var node = NodeBuilder.Node("n").Allocatable(("cpu", "4"), ("memory", "100"), ("example.com/gpu", "4")).Info();

        Assert.Equal([79], PluginTestRunner.Scores(plugin, pod, node));
    }

    [Fact]
    public void Score_FractionsAreCappedAtOne()
    {
        // cpu 8/4 caps at 1, memory 0/10000: std 0.5 -> 50.
        var pod = PodBuilder.Pod("p").Req(("cpu", "8"));
        var node = NodeBuilder.Node("n").Allocatable(("cpu", "4"), ("memory", "10000")).Info();

        Assert.Equal([50], PluginTestRunner.Scores(_plugin, pod, node));
    }

    [Fact]
    public void PreScore_BestEffortPod_Skips()
    {
        Assert.True(_plugin.PreScore(new CycleState(), PodBuilder.Pod("p"), [NodeBuilder.Node("n").Info()]).IsSkip);
    }

    [Theory]
    [InlineData("""{"resources": [{"name": "cpu", "weight": 2}]}""")]
    [InlineData("""{"resources": [{"name": "cpu"}, {"name": "cpu"}]}""")]
    [InlineData("""{"resources": [{"weight": 1}]}""")]
    [InlineData("""{"other": 1}""")]
    public void New_InvalidArgs_Throws(string json)
    {
        Assert.Throws<ArgumentException>(() => Plugin.New(PluginTestRunner.Args(json), new PluginTestHandle()));
    }
}
