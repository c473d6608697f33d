using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.SchedulingGates.SchedulingGates;

namespace Navarch.Scheduler.Tests.Plugins.SchedulingGates;

public sealed class SchedulingGatesTests
{
    private readonly IPreEnqueuePlugin _plugin = (IPreEnqueuePlugin)Plugin.New(null, new PluginTestHandle());

    [Fact]
    public void PreEnqueue_WithoutGates_Succeeds()
    {
        Assert.True(_plugin.PreEnqueue(PodBuilder.Pod("p")).IsSuccess);
        Assert.True(_plugin.PreEnqueue(PodBuilder.Pod("p").Configure(p => p.Spec.SchedulingGates = [])).IsSuccess);
    }

    [Fact]
    public void PreEnqueue_WithGates_IsPendingAndListsGatesInGoSliceFormat()
    {
        V1Pod pod = PodBuilder.Pod("p").Configure(p => p.Spec.SchedulingGates =
            [new V1PodSchedulingGate { Name = "example.com/a" }, new V1PodSchedulingGate { Name = "b" }]);

        var status = _plugin.PreEnqueue(pod);

        Assert.Equal(StatusCode.Pending, status.Code);
        Assert.Equal("waiting for scheduling gates: [example.com/a b]", status.Message);
    }

    [Fact]
    public void EventsToRegister_IsPodSchedulingGatesUpdate()
    {
        var events = ((IEnqueueExtensions)_plugin).EventsToRegister();

        var registered = Assert.Single(events);
        Assert.True(registered.Covers(new ClusterEvent(EventResource.Pod, ActionType.UpdatePodSchedulingGates, "x")));
        Assert.False(registered.Covers(new ClusterEvent(EventResource.Pod, ActionType.UpdatePodLabel, "x")));
        Assert.False(registered.Covers(ClusterEvent.NodeAdd));
    }
}
