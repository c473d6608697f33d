using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.TaintToleration.TaintToleration;

namespace Navarch.Scheduler.Tests.Plugins.TaintToleration;

public sealed class TaintTolerationTests
{
    private readonly Plugin _plugin = (Plugin)Plugin.New(null, new PluginTestHandle());

    /// <summary>Cases from Kubernetes' taint_toleration_test TestTaintTolerationFilter.</summary>
    public static TheoryData<string, (string Key, string? Value, string Effect, string Op)[], (string Key, string? Value, string Effect)[], string?> FilterCases => new()
    {
        { "no tolerations, NoSchedule taint", [], [("dedicated", "user1", "NoSchedule")], "node(s) had untolerated taint {dedicated: user1}" },
        { "Equal toleration matches", [("dedicated", "user1", "NoSchedule", "Equal")], [("dedicated", "user1", "NoSchedule")], null },
        { "Equal toleration for another value", [("dedicated", "user2", "NoSchedule", "Equal")], [("dedicated", "user1", "NoSchedule")], "node(s) had untolerated taint {dedicated: user1}" },
        { "Exists toleration ignores value", [("foo", null, "NoSchedule", "Exists")], [("foo", "bar", "NoSchedule")], null },
        { "tolerates every taint", [("dedicated", "user2", "NoSchedule", "Equal"), ("foo", null, "NoSchedule", "Exists")], [("dedicated", "user2", "NoSchedule"), ("foo", "bar", "NoSchedule")], null },
        { "effect differs", [("foo", "bar", "PreferNoSchedule", "Equal")], [("foo", "bar", "NoSchedule")], "node(s) had untolerated taint {foo: bar}" },
        { "empty effect matches all", [("foo", "bar", "", "Equal")], [("foo", "bar", "NoSchedule")], null },
        { "PreferNoSchedule is not filtered", [("dedicated", "user2", "NoSchedule", "Equal")], [("dedicated", "user1", "PreferNoSchedule")], null },
        { "no tolerations, PreferNoSchedule", [], [("dedicated", "user1", "PreferNoSchedule")], null },
        { "empty key with Exists tolerates all", [("", null, "", "Exists")], [("a", "1", "NoSchedule"), ("b", null, "NoExecute")], null },
        { "NoExecute is filtered", [], [("x", null, "NoExecute")], "node(s) had untolerated taint {x: }" },
        { "first untolerated taint is reported", [("a", null, "", "Exists")], [("a", "1", "NoSchedule"), ("b", "2", "NoExecute"), ("c", "3", "NoSchedule")], "node(s) had untolerated taint {b: 2}" },
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void Filter_MatchesKubernetes(
        string name,
        (string Key, string? Value, string Effect, string Op)[] tolerations,
        (string Key, string? Value, string Effect)[] taints,
        string? reason)
    {
        var pod = PodBuilder.Pod(name.Replace(' ', '-'));
        foreach (var t in tolerations) pod.Toleration(t.Key, t.Value, t.Effect, t.Op);
        var node = NodeBuilder.Node("n");
        foreach (var t in taints) node.Taint(t.Key, t.Value, t.Effect);

        var status = PluginTestRunner.Filter(_plugin, pod, node.Info());

        if (reason is null)
        {
            Assert.True(status.IsSuccess, name);
        }
        else
        {
            Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
            Assert.Equal(reason, status.Message);
        }
    }

    [Fact]
    public void Score_NoTaints_AllNodesMax()
    {
        var scores = PluginTestRunner.Scores(_plugin, PodBuilder.Pod("p"), NodeBuilder.Node("a").Info(), NodeBuilder.Node("b").Info());
        Assert.Equal([100, 100], scores);
    }

    [Fact]
    public void Score_ToleratedPreferNoSchedule_DoesNotLowerScore()
    {
        var pod = PodBuilder.Pod("p").Toleration("foo", "bar", "PreferNoSchedule");
        var scores = PluginTestRunner.Scores(
            _plugin, pod, NodeBuilder.Node("a").Taint("foo", "bar", "PreferNoSchedule").Info(), NodeBuilder.Node("b").Info());
        Assert.Equal([100, 100], scores);
    }

    [Fact]
    public void Score_MoreIntolerableTaints_LowerScore()
    {
        var pod = PodBuilder.Pod("p").Toleration("cpu-type", "arm64", "PreferNoSchedule");
        var scores = PluginTestRunner.Scores(
            _plugin,
            pod,
            NodeBuilder.Node("a").Info(),
            NodeBuilder.Node("b").Taint("cpu-type", "arm64", "PreferNoSchedule").Info(),
            NodeBuilder.Node("c").Taint("cpu-type", "arm64", "PreferNoSchedule").Taint("disk-type", "ssd", "PreferNoSchedule").Info());
        Assert.Equal([100, 100, 0], scores);
    }

    [Fact]
    public void Score_OnlyPreferNoScheduleTaintsCount()
    {
        var pod = PodBuilder.Pod("p").Toleration("cpu-type", "arm64", "NoSchedule");
        var scores = PluginTestRunner.Scores(
            _plugin,
            pod,
            NodeBuilder.Node("a").Info(),
            NodeBuilder.Node("b").Taint("cpu-type", "arm64", "NoSchedule").Info(),
            NodeBuilder.Node("c").Taint("cpu-type", "arm64", "PreferNoSchedule").Taint("disk-type", "ssd", "PreferNoSchedule").Info(),
            NodeBuilder.Node("d").Taint("disk-type", "ssd", "PreferNoSchedule").Info());
        Assert.Equal([100, 100, 0, 50], scores);
    }

    [Fact]
    public void EventsToRegister_CoversNodeAddAndTaintUpdate()
    {
        var events = _plugin.EventsToRegister();
        Assert.Contains(events, e => e.Covers(ClusterEvent.NodeAdd));
        Assert.Contains(events, e => e.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeTaint, "x")));
        Assert.DoesNotContain(events, e => e.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeAllocatable, "x")));
    }
}
