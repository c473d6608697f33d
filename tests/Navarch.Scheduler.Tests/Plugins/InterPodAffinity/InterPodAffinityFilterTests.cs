using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Plugins.DefaultPreemption;
using Navarch.Scheduler.Tests.Testing;
using static Navarch.Scheduler.Tests.Plugins.InterPodAffinity.Terms;
using Plugin = Navarch.Scheduler.Plugins.InterPodAffinity.InterPodAffinity;

namespace Navarch.Scheduler.Tests.Plugins.InterPodAffinity;

public sealed class InterPodAffinityFilterTests
{
    private static (Plugin Plugin, PreemptionTestHandle Handle) Setup(params NodeInfo[] nodes)
    {
        var handle = new PreemptionTestHandle(nodes);
        var plugin = (Plugin)Plugin.New(null, handle);
        return (plugin, handle);
    }

    private static Dictionary<string, Status> FilterAll(Plugin plugin, PreemptionTestHandle handle, V1Pod pod)
    {
        var state = new CycleState();
        var (_, status) = plugin.PreFilter(state, pod, handle.SnapshotNodeInfos.List());

        // The framework does not call Filter of a plugin whose PreFilter skipped: every node passes.
        if (status.IsSkip) return handle.SnapshotNodeInfos.List().ToDictionary(n => n.Name, _ => Status.Success);
        Assert.True(status.IsSuccess, status.ToString());
        return handle.SnapshotNodeInfos.List().ToDictionary(n => n.Name, n => plugin.Filter(state, pod, n));
    }

    [Fact]
    public void Filter_RequiredAffinity_PassesOnlyInZoneOfMatchingPod()
    {
        var (plugin, handle) = Setup(
            NodeBuilder.Node("a").Label(Zone, "z1").WithPod(PodBuilder.Pod("db").Label("app", "db")).Info(),
            NodeBuilder.Node("b").Label(Zone, "z1").Info(),
            NodeBuilder.Node("c").Label(Zone, "z2").Info());
        var pod = PodBuilder.Pod("web").Affinity(RequiredAffinity(Term("app", "db", Zone))).Build();

        var result = FilterAll(plugin, handle, pod);

        Assert.True(result["a"].IsSuccess);
        Assert.True(result["b"].IsSuccess);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, result["c"].Code);
        Assert.Equal("node(s) didn't match pod affinity rules", result["c"].Message);
    }

    [Fact]
    public void Filter_RequiredAffinity_NodeWithoutTopologyKey_Fails()
    {
        var (plugin, handle) = Setup(
            NodeBuilder.Node("a").Label(Zone, "z1").WithPod(PodBuilder.Pod("db").Label("app", "db")).Info(),
            NodeBuilder.Node("nozone").Info());
        var pod = PodBuilder.Pod("web").Affinity(RequiredAffinity(Term("app", "db", Zone))).Build();

        var result = FilterAll(plugin, handle, pod);

        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, result["nozone"].Code);
    }

    [Fact]
    public void Filter_FirstPodOfSelfAffineGroup_MaySchedule()
    {
        // No pod matches the term anywhere, but the pod matches its own term: it may start the group.
        var (plugin, handle) = Setup(NodeBuilder.Node("a").Label(Zone, "z1").Info(), NodeBuilder.Node("nozone").Info());
        var pod = PodBuilder.Pod("web-0").Label("app", "web").Affinity(RequiredAffinity(Term("app", "web", Zone))).Build();

        var result = FilterAll(plugin, handle, pod);

        Assert.True(result["a"].IsSuccess);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, result["nozone"].Code);
    }

    [Fact]
    public void Filter_NoMatchingPodAndPodDoesNotMatchOwnTerm_Fails()
    {
        var (plugin, handle) = Setup(NodeBuilder.Node("a").Label(Zone, "z1").Info());
        var pod = PodBuilder.Pod("web").Label("app", "web").Affinity(RequiredAffinity(Term("app", "db", Zone))).Build();

        var result = FilterAll(plugin, handle, pod);

        Assert.Equal("node(s) didn't match pod affinity rules", result["a"].Message);
    }

    [Fact]
    public void Filter_SelfAffinePodWhenGroupExistsElsewhere_OnlyJoinsThatDomain()
    {
        var (plugin, handle) = Setup(
            NodeBuilder.Node("a").Label(Zone, "z1").WithPod(PodBuilder.Pod("web-0").Label("app", "web")).Info(),
            NodeBuilder.Node("b").Label(Zone, "z2").Info());
        var pod = PodBuilder.Pod("web-1").Label("app", "web").Affinity(RequiredAffinity(Term("app", "web", Zone))).Build();

        var result = FilterAll(plugin, handle, pod);

        Assert.True(result["a"].IsSuccess);
        Assert.False(result["b"].IsSuccess);
    }

    [Fact]
    public void Filter_RequiredAntiAffinity_RejectsDomainWithMatchingPod()
    {
        var (plugin, handle) = Setup(
            NodeBuilder.Node("a").WithPod(PodBuilder.Pod("web-0").Label("app", "web")).Info(),
            NodeBuilder.Node("b").Info());
        var pod = PodBuilder.Pod("web-1").Label("app", "web").Affinity(RequiredAntiAffinity(Term("app", "web", Hostname))).Build();

        var result = FilterAll(plugin, handle, pod);

        Assert.Equal(StatusCode.Unschedulable, result["a"].Code);
        Assert.Equal("node(s) didn't match pod anti-affinity rules", result["a"].Message);
        Assert.True(result["b"].IsSuccess);
    }

    [Fact]
    public void Filter_ExistingPodAntiAffinity_RejectsIncomingPodInItsDomain()
    {
        var existing = PodBuilder.Pod("lonely").Affinity(RequiredAntiAffinity(Term("app", "web", Zone)));
        var (plugin, handle) = Setup(
            NodeBuilder.Node("a").Label(Zone, "z1").WithPod(existing).Info(),
            NodeBuilder.Node("b").Label(Zone, "z1").Info(),
            NodeBuilder.Node("c").Label(Zone, "z2").Info());
        var pod = PodBuilder.Pod("web").Label("app", "web").Build();

        var result = FilterAll(plugin, handle, pod);

        Assert.Equal(StatusCode.Unschedulable, result["a"].Code);
        Assert.Equal("node(s) didn't satisfy existing pods anti-affinity rules", result["b"].Message);
        Assert.True(result["c"].IsSuccess);
    }

    [Fact]
    public void Filter_TermsOnlySelectTheirNamespaces()
    {
        var (plugin, handle) = Setup(
            NodeBuilder.Node("a").WithPod(PodBuilder.Pod("web-0", "other").Label("app", "web")).Info());
        var pod = PodBuilder.Pod("web-1").Label("app", "web").Affinity(RequiredAntiAffinity(Term("app", "web", Hostname))).Build();

        var result = FilterAll(plugin, handle, pod);

        Assert.True(result["a"].IsSuccess);
    }

    [Fact]
    public void Filter_NamespaceSelector_SelectsPodsInLabelledNamespaces()
    {
        var (plugin, handle) = Setup(
            NodeBuilder.Node("a").WithPod(PodBuilder.Pod("web-0", "team-a").Label("app", "web")).Info(),
            NodeBuilder.Node("b").WithPod(PodBuilder.Pod("web-1", "team-b").Label("app", "web")).Info(),
            NodeBuilder.Node("c").Info());
        handle.FakeClient.Namespaces["team-a"] = new() { ["team"] = "a" };
        handle.FakeClient.Namespaces["team-b"] = new() { ["team"] = "b" };
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "a" } };
        var pod = PodBuilder.Pod("web-2").Label("app", "web")
            .Affinity(RequiredAntiAffinity(Term("app", "web", Hostname, selector))).Build();

        var result = FilterAll(plugin, handle, pod);

        Assert.False(result["a"].IsSuccess);
        Assert.True(result["b"].IsSuccess);
        Assert.True(result["c"].IsSuccess);
    }

    [Fact]
    public void Filter_ExistingPodNamespaceSelector_UsesIncomingPodNamespaceLabels()
    {
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["env"] = "prod" } };
        var existing = PodBuilder.Pod("guard", "ops").Affinity(RequiredAntiAffinity(Term("app", "web", Hostname, selector)));
        var (plugin, handle) = Setup(NodeBuilder.Node("a").WithPod(existing).Info());
        handle.FakeClient.Namespaces["prod-ns"] = new() { ["env"] = "prod" };

        var inProd = FilterAll(plugin, handle, PodBuilder.Pod("web", "prod-ns").Label("app", "web"));
        var inDev = FilterAll(plugin, handle, PodBuilder.Pod("web", "dev-ns").Label("app", "web"));

        Assert.Equal("node(s) didn't satisfy existing pods anti-affinity rules", inProd["a"].Message);
        Assert.True(inDev["a"].IsSuccess);
    }

    [Fact]
    public void PreFilter_NoTermsAnywhere_Skips()
    {
        var (plugin, handle) = Setup(NodeBuilder.Node("a").WithPod(PodBuilder.Pod("x").Label("app", "web")).Info());

        var (_, status) = plugin.PreFilter(new CycleState(), PodBuilder.Pod("web").Label("app", "web"), handle.SnapshotNodeInfos.List());

        Assert.True(status.IsSkip);
    }

    [Fact]
    public void RemovePod_OfTheOnlyMatchingPod_LiftsAntiAffinityOnAClone()
    {
        var victim = new PodInfo(PodBuilder.Pod("web-0").Label("app", "web").Node("a"));
        var node = NodeBuilder.Node("a").Info();
        node.AddPod(victim);
        var (plugin, handle) = Setup(node);
        var pod = PodBuilder.Pod("web-1").Label("app", "web").Affinity(RequiredAntiAffinity(Term("app", "web", Hostname))).Build();
        var state = new CycleState();
        plugin.PreFilter(state, pod, handle.SnapshotNodeInfos.List());

        var copy = state.Clone();
        var copyNode = node.Clone();
        copyNode.RemovePod(victim.Pod);
        Assert.True(plugin.RemovePod(copy, pod, victim, copyNode).IsSuccess);

        Assert.True(plugin.Filter(copy, pod, copyNode).IsSuccess);
        Assert.False(plugin.Filter(state, pod, node).IsSuccess);

        Assert.True(plugin.AddPod(copy, pod, victim, copyNode).IsSuccess);
        Assert.False(plugin.Filter(copy, pod, copyNode).IsSuccess);
    }

    [Fact]
    public void AddPod_WithAntiAffinityToIncomingPod_MakesNodeFail()
    {
        var node = NodeBuilder.Node("a").Info();
        var (plugin, handle) = Setup(node);

        // A term of its own keeps PreFilter from skipping the plugin.
        var pod = PodBuilder.Pod("web").Label("app", "web").Affinity(RequiredAntiAffinity(Term("x", "y", Hostname))).Build();
        var state = new CycleState();
        var (_, status) = plugin.PreFilter(state, pod, handle.SnapshotNodeInfos.List());
        Assert.True(status.IsSuccess);

        var guard = new PodInfo(PodBuilder.Pod("guard").Affinity(RequiredAntiAffinity(Term("app", "web", Hostname))).Node("a"));
        plugin.AddPod(state, pod, guard, node);

        Assert.Equal("node(s) didn't satisfy existing pods anti-affinity rules", plugin.Filter(state, pod, node).Message);
    }

    [Fact]
    public void Filter_WithoutPreFilterState_IsAnError()
    {
        var (plugin, _) = Setup();

        var status = plugin.Filter(new CycleState(), PodBuilder.Pod("p"), NodeBuilder.Node("a").Info());

        Assert.Equal(StatusCode.Error, status.Code);
    }

    [Fact]
    public void EventsToRegister_CoverPodLabelChangesAndNodeLabelChanges()
    {
        var (plugin, _) = Setup();

        var events = plugin.EventsToRegister();

        Assert.Contains(events, e => e.Covers(new ClusterEvent(EventResource.Pod, ActionType.UpdatePodLabel, "x")));
        Assert.Contains(events, e => e.Covers(new ClusterEvent(EventResource.Pod, ActionType.Delete, "x")));
        Assert.Contains(events, e => e.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeLabel, "x")));
        Assert.DoesNotContain(events, e => e.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeTaint, "x")));
    }

    [Fact]
    public void New_WithOutOfRangeHardPodAffinityWeight_Throws()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("{\"hardPodAffinityWeight\": 101}");

        var error = Assert.Throws<ArgumentException>(() => Plugin.New(doc.RootElement, new PreemptionTestHandle()));

        Assert.StartsWith("hardPodAffinityWeight: Invalid value: 101: not in valid range [0-100]", error.Message);
    }
}
