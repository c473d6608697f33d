using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Plugins.DefaultPreemption;
using Navarch.Scheduler.Tests.Testing;
using static Navarch.Scheduler.Tests.Plugins.PodTopologySpread.Spread;
using Plugin = Navarch.Scheduler.Plugins.PodTopologySpread.PodTopologySpread;

namespace Navarch.Scheduler.Tests.Plugins.PodTopologySpread;

public sealed class PodTopologySpreadScoreTests
{
    private static PodBuilder Web(string name) => PodBuilder.Pod(name).Label("app", "web");

    /// <summary>Runs PreScore, Score and NormalizeScore over all nodes; null when PreScore skipped.</summary>
    private static Dictionary<string, long>? Scores(V1Pod pod, params NodeBuilder[] builders)
    {
        var nodes = builders.Select(b => b.Info()).ToArray();
        var plugin = (Plugin)Plugin.New(null, new PreemptionTestHandle(nodes));
        var state = new CycleState();
        var status = plugin.PreScore(state, pod, nodes);
        if (status.IsSkip) return null;
        Assert.True(status.IsSuccess, status.ToString());

        var scores = new NodeScore[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            var (score, scoreStatus) = plugin.Score(state, pod, nodes[i]);
            Assert.True(scoreStatus.IsSuccess);
            scores[i] = new NodeScore(nodes[i].Name, score);
        }

        Assert.True(plugin.NormalizeScore(state, pod, scores).IsSuccess);
        return scores.ToDictionary(s => s.Name, s => s.Score);
    }

    [Fact]
    public void Score_HostnameSpread_FewerMatchingPodsScoresHigher()
    {
        // Weight ln(4 + 2); raw a = round(2 * 1.79) = 4, x = round(1.79) = 2, b = y = 0.
        var scores = Scores(
            Web("new").SpreadConstraint(Constraint(1, Hostname, "ScheduleAnyway")),
            NodeBuilder.Node("a").WithPod(Web("p1")).WithPod(Web("p2")),
            NodeBuilder.Node("b"),
            NodeBuilder.Node("x").WithPod(Web("p3")),
            NodeBuilder.Node("y"));

        Assert.Equal(new Dictionary<string, long> { ["a"] = 0, ["b"] = 100, ["x"] = 50, ["y"] = 100 }, scores);
    }

    [Fact]
    public void Score_LargerMaxSkew_FlattensDifferences()
    {
        // Each raw score gains maxSkew - 1 = 2: a = round(3.58 + 2) = 6, x = round(1.79 + 2) = 4, b = y = 2.
        var scores = Scores(
            Web("new").SpreadConstraint(Constraint(3, Hostname, "ScheduleAnyway")),
            NodeBuilder.Node("a").WithPod(Web("p1")).WithPod(Web("p2")),
            NodeBuilder.Node("b"),
            NodeBuilder.Node("x").WithPod(Web("p3")),
            NodeBuilder.Node("y"));

        Assert.Equal(new Dictionary<string, long> { ["a"] = 33, ["b"] = 100, ["x"] = 66, ["y"] = 100 }, scores);
    }

    [Fact]
    public void Score_ZoneSpread_NodeWithoutTheKeyScoresZero()
    {
        // Two zones: weight ln(2 + 2); raw z1 = round(2 * 1.386) = 3, z2 = 0.
        var scores = Scores(
            Web("new").SpreadConstraint(Constraint(1, Zone, "ScheduleAnyway")),
            NodeBuilder.Node("a").Label(Zone, "z1").WithPod(Web("p1")).WithPod(Web("p2")),
            NodeBuilder.Node("b").Label(Zone, "z1"),
            NodeBuilder.Node("x").Label(Zone, "z2"),
            NodeBuilder.Node("nozone"));

        Assert.Equal(new Dictionary<string, long> { ["a"] = 0, ["b"] = 0, ["x"] = 100, ["nozone"] = 0 }, scores);
    }

    [Fact]
    public void Score_NoMatchingPods_EveryNodeScoresMax()
    {
        var scores = Scores(
            Web("new").SpreadConstraint(Constraint(1, Hostname, "ScheduleAnyway")),
            NodeBuilder.Node("a"),
            NodeBuilder.Node("b"));

        Assert.Equal(new Dictionary<string, long> { ["a"] = 100, ["b"] = 100 }, scores);
    }

    [Fact]
    public void PreScore_OnlyDoNotScheduleConstraints_Skips()
    {
        Assert.Null(Scores(Web("new").SpreadConstraint(Constraint(1, Hostname)), NodeBuilder.Node("a")));
    }
}
