using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.NodeName.NodeName;

namespace Navarch.Scheduler.Tests.Plugins.NodeName;

public sealed class NodeNameTests
{
    private readonly Plugin _plugin = (Plugin)Plugin.New(null, new PluginTestHandle());

    [Fact]
    public void PreFilter_WithoutNodeName_Skips()
    {
        var (result, status) = _plugin.PreFilter(new CycleState(), PodBuilder.Pod("p"), []);

        Assert.True(status.IsSkip);
        Assert.Null(result);
    }

    [Fact]
    public void PreFilter_WithNodeName_NarrowsToThatNode()
    {
        var (result, status) = _plugin.PreFilter(new CycleState(), PodBuilder.Pod("p").Node("n2"), []);

        Assert.True(status.IsSuccess);
        Assert.Equal(["n2"], result!.NodeNames!);
    }

    [Theory]
    [InlineData(null, "n1", true)]
    [InlineData("n1", "n1", true)]
    [InlineData("n2", "n1", false)]
    public void Filter_MatchesRequestedNodeName(string? requested, string node, bool fits)
    {
        var pod = PodBuilder.Pod("p").Configure(p => p.Spec.NodeName = requested);

        var status = _plugin.Filter(new CycleState(), pod, NodeBuilder.Node(node).Info());

        Assert.Equal(fits, status.IsSuccess);
        if (!fits)
        {
            Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
            Assert.Equal("node(s) didn't match the requested node name", status.Message);
        }
    }

    [Fact]
    public void EventsToRegister_IsNodeAdd()
    {
        var registered = Assert.Single(_plugin.EventsToRegister());
        Assert.True(registered.Covers(ClusterEvent.NodeAdd));
        Assert.False(registered.Covers(ClusterEvent.AssignedPodDelete));
    }
}
