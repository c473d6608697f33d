using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.NodeUnschedulable.NodeUnschedulable;

namespace Navarch.Scheduler.Tests.Plugins.NodeUnschedulable;

public sealed class NodeUnschedulableTests
{
    private readonly IFilterPlugin _plugin = (IFilterPlugin)Plugin.New(null, new PluginTestHandle());

    [Fact]
    public void Filter_SchedulableNode_Fits()
    {
        Assert.True(PluginTestRunner.Filter(_plugin, PodBuilder.Pod("p"), NodeBuilder.Node("n").Info()).IsSuccess);
    }

    [Fact]
    public void Filter_CordonedNodeWithoutToleration_IsUnresolvable()
    {
        var status = PluginTestRunner.Filter(_plugin, PodBuilder.Pod("p"), NodeBuilder.Node("n").Unschedulable().Info());

        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
        Assert.Equal("node(s) were unschedulable", status.Message);
    }

    [Theory]
    [InlineData("node.kubernetes.io/unschedulable", "Exists", "NoSchedule", true)]
    [InlineData("node.kubernetes.io/unschedulable", "Exists", "", true)]
    [InlineData("", "Exists", "", true)]
    [InlineData("node.kubernetes.io/unschedulable", "Equal", "NoSchedule", true)]
    [InlineData("node.kubernetes.io/unschedulable", "Exists", "NoExecute", false)]
    [InlineData("other", "Exists", "NoSchedule", false)]
    public void Filter_CordonedNode_HonorsUnschedulableToleration(string key, string op, string effect, bool fits)
    {
        var pod = PodBuilder.Pod("p").Toleration(key, null, effect, op);

        var status = PluginTestRunner.Filter(_plugin, pod, NodeBuilder.Node("n").Unschedulable().Info());

        Assert.Equal(fits, status.IsSuccess);
    }

    [Fact]
    public void EventsToRegister_CoversNodeAddAndTaintUpdate()
    {
        var events = ((IEnqueueExtensions)_plugin).EventsToRegister();

        Assert.Contains(events, e => e.Covers(ClusterEvent.NodeAdd));
        Assert.Contains(events, e => e.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeTaint, "x")));
        Assert.DoesNotContain(events, e => e.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeLabel, "x")));
    }
}
