using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Plugins.DefaultPreemption;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.PodTopologySpread.PodTopologySpread;

namespace Navarch.Scheduler.Tests.Plugins.PodTopologySpread;

/// <summary>Cases and expected scores from kube-scheduler's podtopologyspread scoring_test.go.</summary>
public sealed class PodTopologySpreadUpstreamScoreTests
{
    private const string Hostname = "kubernetes.io/hostname";

    private static V1TopologySpreadConstraint SoftExists(int maxSkew, string topologyKey, string label) => new()
    {
        MaxSkew = maxSkew,
        TopologyKey = topologyKey,
        WhenUnsatisfiable = "ScheduleAnyway",
        LabelSelector = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = label, OperatorProperty = "Exists" }],
        },
    };

    /// <summary>
    /// <paramref name="spread"/> is "node:zone:count" per node (zone "-" for none); nodes in
    /// <paramref name="failed"/> are in the snapshot but did not pass Filter.
    /// </summary>
    private static Dictionary<string, long> Run(V1Pod pod, string[] spread, params string[] failed)
    {
        var all = new List<NodeInfo>();
        foreach (var entry in spread)
        {
            var parts = entry.Split(':');
            var builder = NodeBuilder.Node(parts[0]);
            if (parts[1] != "-") builder.Label("zone", parts[1]);
            for (var i = 0; i < int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture); i++)
            {
                builder.WithPod(PodBuilder.Pod($"p-{parts[0]}{i}").Label("foo", string.Empty));
            }

            all.Add(builder.Info());
        }

        var filtered = all.Where(n => !failed.Contains(n.Name)).ToArray();
        var plugin = (Plugin)Plugin.New(null, new PreemptionTestHandle([.. all]));
        var state = new CycleState();
        Assert.True(plugin.PreScore(state, pod, filtered).IsSuccess);
        var scores = filtered.Select(n => new NodeScore(n.Name, plugin.Score(state, pod, n).Score)).ToArray();
        Assert.True(plugin.NormalizeScore(state, pod, scores).IsSuccess);
        return scores.ToDictionary(s => s.Name, s => s.Score);
    }

    private static PodBuilder Incoming() => PodBuilder.Pod("p").Label("foo", string.Empty).Label("bar", string.Empty);

    [Fact]
    public void OneConstraintOnNode_MaxSkew3_AllCandidates()
    {
        var scores = Run(Incoming().SpreadConstraint(SoftExists(3, Hostname, "foo")), ["node-a:-:4", "node-b:-:3", "node-c:-:2", "node-d:-:1"]);

        Assert.Equal(new Dictionary<string, long> { ["node-a"] = 44, ["node-b"] = 66, ["node-c"] = 77, ["node-d"] = 100 }, scores);
    }

    [Fact]
    public void OneConstraintOnNode_ThreeOfFourCandidates()
    {
        var scores = Run(
            Incoming().SpreadConstraint(SoftExists(1, Hostname, "foo")), ["node-a:-:4", "node-b:-:2", "node-x:-:1", "node-y:-:3"], "node-y");

        // Raw scores round (6.44, 3.22, 1.61 -> 6, 3, 2), as kube-scheduler has since it stopped truncating them.
        Assert.Equal(new Dictionary<string, long> { ["node-a"] = 33, ["node-b"] = 83, ["node-x"] = 100 }, scores);
    }

    [Fact]
    public void OneConstraintOnZone_ThreeOfFourCandidates()
    {
        var scores = Run(
            Incoming().SpreadConstraint(SoftExists(1, "zone", "foo")),
            ["node-a:zone1:4", "node-b:zone1:2", "node-x:zone2:1", "node-y:zone2:3"],
            "node-y");

        Assert.Equal(new Dictionary<string, long> { ["node-a"] = 75, ["node-b"] = 75, ["node-x"] = 100 }, scores);
    }

    [Fact]
    public void TwoConstraintsOnZoneAndNode_TwoOfFourCandidates()
    {
        var scores = Run(
            Incoming().SpreadConstraint(SoftExists(1, "zone", "foo")).SpreadConstraint(SoftExists(1, Hostname, "foo")),
            ["node-a:zone1:2", "node-b:zone1:1", "node-x:zone2:2", "node-y:zone2:4"],
            "node-b",
            "node-y");

        Assert.Equal(new Dictionary<string, long> { ["node-a"] = 100, ["node-x"] = 63 }, scores);
    }
}
