using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Plugins.DefaultPreemption;
using Navarch.Scheduler.Tests.Testing;
using static Navarch.Scheduler.Tests.Plugins.PodTopologySpread.Spread;
using Plugin = Navarch.Scheduler.Plugins.PodTopologySpread.PodTopologySpread;

namespace Navarch.Scheduler.Tests.Plugins.PodTopologySpread;

public sealed class PodTopologySpreadFilterTests
{
    private static PodBuilder Web(string name, string ns = "default") => PodBuilder.Pod(name, ns).Label("app", "web");

    /// <summary>Two zones of two nodes: z1 = {a, b}, z2 = {x, y}.</summary>
    private static NodeBuilder[] Zones() =>
    [
        NodeBuilder.Node("a").Label(Zone, "z1"),
        NodeBuilder.Node("b").Label(Zone, "z1"),
        NodeBuilder.Node("x").Label(Zone, "z2"),
        NodeBuilder.Node("y").Label(Zone, "z2"),
    ];

    private static Dictionary<string, Status> FilterAll(V1Pod pod, IEnumerable<NodeBuilder> builders, string? args = null)
    {
        var nodes = builders.Select(b => b.Info()).ToArray();
        using var doc = args is null ? null : JsonDocument.Parse(args);
        var plugin = (Plugin)Plugin.New(doc?.RootElement, new PreemptionTestHandle(nodes));
        var state = new CycleState();
        var (_, status) = plugin.PreFilter(state, pod, nodes);
        if (status.IsSkip) return nodes.ToDictionary(n => n.Name, _ => Status.Success);
        Assert.True(status.IsSuccess, status.ToString());
        return nodes.ToDictionary(n => n.Name, n => plugin.Filter(state, pod, n));
    }

    private static string[] Passing(Dictionary<string, Status> result) =>
        result.Where(r => r.Value.IsSuccess).Select(r => r.Key).Order().ToArray();

    [Fact]
    public void Filter_ZoneSkew_RejectsTheFullerZone()
    {
        var nodes = Zones();
        nodes[0].WithPod(Web("p1"));
        nodes[1].WithPod(Web("p2"));
        nodes[2].WithPod(Web("p3"));

        var result = FilterAll(Web("new").SpreadConstraint(Constraint(1, Zone)), nodes);

        // z1 has 2, z2 has 1: placing in z1 gives skew 3-1 = 2 > 1.
        Assert.Equal(["x", "y"], Passing(result));
        Assert.Equal(StatusCode.Unschedulable, result["a"].Code);
        Assert.Equal("node(s) didn't match pod topology spread constraints", result["a"].Message);
    }

    [Fact]
    public void Filter_PodNotMatchingItsOwnSelector_DoesNotAddToSkew()
    {
        var nodes = Zones();
        nodes[0].WithPod(Web("p1"));
        nodes[2].WithPod(Web("p2"));

        // z1 = 2, z2 = 1 with maxSkew 1: the pod counts itself only if its selector selects it.
        var other = PodBuilder.Pod("other").Label("app", "db").SpreadConstraint(Constraint(1, Zone));
        nodes[1].WithPod(Web("p3"));

        var result = FilterAll(other, nodes);

        Assert.Equal(["a", "b", "x", "y"], Passing(result));
    }

    [Fact]
    public void Filter_NodeWithoutTopologyKey_IsUnresolvable()
    {
        var nodes = Zones().Append(NodeBuilder.Node("nozone")).ToArray();

        var result = FilterAll(Web("new").SpreadConstraint(Constraint(1, Zone)), nodes);

        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, result["nozone"].Code);
        Assert.Equal("node(s) didn't match pod topology spread constraints (missing required label)", result["nozone"].Message);
    }

    [Fact]
    public void Filter_MinDomainsNotReached_TreatsGlobalMinimumAsZero()
    {
        var nodes = Zones();
        nodes[0].WithPod(Web("p1"));
        nodes[2].WithPod(Web("p2"));

        var withoutMinDomains = FilterAll(Web("new").SpreadConstraint(Constraint(1, Zone)), nodes);
        var withMinDomains = FilterAll(Web("new").SpreadConstraint(Constraint(1, Zone, minDomains: 3)), nodes);

        Assert.Equal(["a", "b", "x", "y"], Passing(withoutMinDomains));
        Assert.Empty(Passing(withMinDomains));
    }

    [Fact]
    public void Filter_HostnameSpread_CountsPerNode()
    {
        var nodes = Zones();
        nodes[0].WithPod(Web("p1"));

        var result = FilterAll(Web("new").SpreadConstraint(Constraint(1, Hostname)), nodes);

        Assert.Equal(["b", "x", "y"], Passing(result));
    }

    [Fact]
    public void Filter_NodeAffinityPolicy_HonorExcludesNodesThePodCannotUse()
    {
        var nodes = Zones();
        nodes[0].WithPod(Web("p1"));
        nodes[1].WithPod(Web("p2"));
        nodes[2].Label("pool", "gpu");
        nodes[3].Label("pool", "gpu");

        // The pod may only go to z1's nodes; with Honor z2 is no domain, so z1 is the minimum.
        var honor = FilterAll(Web("new").NodeSelector("pool", "cpu").SpreadConstraint(Constraint(1, Zone)), AddPool(nodes));
        var ignore = FilterAll(
            Web("new").NodeSelector("pool", "cpu").SpreadConstraint(Constraint(1, Zone, nodeAffinityPolicy: "Ignore")), AddPool(nodes));

        Assert.Contains("a", Passing(honor));
        Assert.DoesNotContain("a", Passing(ignore));

        static NodeBuilder[] AddPool(NodeBuilder[] nodes)
        {
            nodes[0].Label("pool", "cpu");
            nodes[1].Label("pool", "cpu");
            return nodes;
        }
    }

    [Fact]
    public void Filter_NodeTaintsPolicy_HonorExcludesUntoleratedTaintedNodes()
    {
        var nodes = Zones();
        nodes[0].WithPod(Web("p1"));
        nodes[1].WithPod(Web("p2"));
        nodes[2].Taint("dedicated", "infra", "NoSchedule");
        nodes[3].Taint("dedicated", "infra", "NoSchedule");

        var ignore = FilterAll(Web("new").SpreadConstraint(Constraint(1, Zone)), nodes);
        var honor = FilterAll(Web("new").SpreadConstraint(Constraint(1, Zone, nodeTaintsPolicy: "Honor")), nodes);
        var tolerated = FilterAll(
            Web("new").Toleration("dedicated", "infra", "NoSchedule").SpreadConstraint(Constraint(1, Zone, nodeTaintsPolicy: "Honor")), nodes);

        Assert.DoesNotContain("a", Passing(ignore));
        Assert.Contains("a", Passing(honor));
        Assert.DoesNotContain("a", Passing(tolerated));
    }

    [Fact]
    public void Filter_MatchLabelKeys_OnlyCountsPodsWithTheSameValue()
    {
        var nodes = Zones();
        nodes[0].WithPod(Web("old1").Label("pod-template-hash", "v1"));
        nodes[1].WithPod(Web("old2").Label("pod-template-hash", "v1"));

        var pod = Web("new").Label("pod-template-hash", "v2")
            .SpreadConstraint(Constraint(1, Zone, matchLabelKeys: "pod-template-hash"));
        var without = Web("new").Label("pod-template-hash", "v2").SpreadConstraint(Constraint(1, Zone));

        Assert.Equal(["a", "b", "x", "y"], Passing(FilterAll(pod, nodes)));
        Assert.Equal(["x", "y"], Passing(FilterAll(without, nodes)));
    }

    [Fact]
    public void Filter_IgnoresPodsOfOtherNamespacesAndTerminatingPods()
    {
        var nodes = Zones();
        nodes[0].WithPod(Web("elsewhere", "other"));
        nodes[1].WithPod(Web("leaving").Configure(p => p.Metadata.DeletionTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));

        var result = FilterAll(Web("new").SpreadConstraint(Constraint(1, Zone)), nodes);

        Assert.Equal(["a", "b", "x", "y"], Passing(result));
    }

    [Fact]
    public void PreFilter_OnlyScheduleAnywayConstraints_Skips()
    {
        var nodes = Zones().Select(b => b.Info()).ToArray();
        var plugin = (Plugin)Plugin.New(null, new PreemptionTestHandle(nodes));

        var (_, status) = plugin.PreFilter(new CycleState(), Web("new").SpreadConstraint(Constraint(1, Zone, "ScheduleAnyway")), nodes);

        Assert.True(status.IsSkip);
    }

    [Fact]
    public void RemovePod_UpdatesCountsOnAClone()
    {
        var victim = new PodInfo(Web("p1").Node("a"));
        var nodes = Zones().Select(b => b.Info()).ToArray();
        nodes[0].AddPod(victim);
        nodes[1].AddPod(new PodInfo(Web("p2").Node("b")));
        var plugin = (Plugin)Plugin.New(null, new PreemptionTestHandle(nodes));
        var pod = Web("new").SpreadConstraint(Constraint(1, Zone)).Build();
        var state = new CycleState();
        plugin.PreFilter(state, pod, nodes);

        // z1 = 2, z2 = 0: z1 rejected. Remove one z1 pod on a copy: z1 = 1, 1 + 1 - 0 = 2 still > 1.
        var copy = state.Clone();
        Assert.True(plugin.RemovePod(copy, pod, victim, nodes[0]).IsSuccess);
        Assert.False(plugin.Filter(copy, pod, nodes[0]).IsSuccess);

        // Adding one to z2 makes the minimum 1: 1 + 1 - 1 = 1 passes on the copy, never on the original.
        Assert.True(plugin.AddPod(copy, pod, new PodInfo(Web("p3").Node("x")), nodes[2]).IsSuccess);
        Assert.True(plugin.Filter(copy, pod, nodes[0]).IsSuccess);
        Assert.False(plugin.Filter(state, pod, nodes[0]).IsSuccess);
    }

    [Fact]
    public void DefaultConstraints_List_ApplyToControlledPodsWithoutConstraints()
    {
        var nodes = Zones();
        nodes[0].WithPod(Web("p1"));
        nodes[1].WithPod(Web("p2"));
        const string args = """{"defaultingType": "List", "defaultConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}]}""";
        var owned = Web("new").Configure(p => p.Metadata.OwnerReferences =
            [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web-1", Uid = "rs", Controller = true }]);

        Assert.Equal(["x", "y"], Passing(FilterAll(owned, nodes, args)));
        Assert.Equal(["a", "b", "x", "y"], Passing(FilterAll(Web("bare"), nodes, args)));
        Assert.Equal(["a", "b", "x", "y"], Passing(FilterAll(owned, nodes)));
    }

    [Fact]
    public void New_DefaultConstraintWithSelector_Throws()
    {
        using var doc = JsonDocument.Parse(
            """{"defaultingType": "List", "defaultConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {}}]}""");

        var error = Assert.Throws<ArgumentException>(() => Plugin.New(doc.RootElement, new PreemptionTestHandle()));

        Assert.Contains("constraint must not define a selector", error.Message);
    }

    [Fact]
    public void EventsToRegister_IncludeNodeTaintChanges()
    {
        var plugin = (Plugin)Plugin.New(null, new PreemptionTestHandle());

        Assert.Contains(plugin.EventsToRegister(), e => e.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeTaint, "x")));
        Assert.Contains(plugin.EventsToRegister(), e => e.Covers(new ClusterEvent(EventResource.Pod, ActionType.Delete, "x")));
    }
}
