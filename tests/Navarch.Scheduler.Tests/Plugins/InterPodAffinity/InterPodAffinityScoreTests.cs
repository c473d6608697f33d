using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Plugins.DefaultPreemption;
using Navarch.Scheduler.Tests.Testing;
using static Navarch.Scheduler.Tests.Plugins.InterPodAffinity.Terms;
using Plugin = Navarch.Scheduler.Plugins.InterPodAffinity.InterPodAffinity;

namespace Navarch.Scheduler.Tests.Plugins.InterPodAffinity;

public sealed class InterPodAffinityScoreTests
{
    private static NodeInfo[] ThreeNodes(params (string Node, V1Pod Pod)[] pods)
    {
        var a = NodeBuilder.Node("a").Label(Zone, "z1");
        var b = NodeBuilder.Node("b").Label(Zone, "z1");
        var c = NodeBuilder.Node("c").Label(Zone, "z2");
        foreach (var (node, pod) in pods)
        {
            (node switch { "a" => a, "b" => b, _ => c }).WithPod(pod);
        }

        return [a.Info(), b.Info(), c.Info()];
    }

    /// <summary>Runs PreScore, Score and NormalizeScore; null when PreScore skipped.</summary>
    private static Dictionary<string, long>? Scores(V1Pod pod, NodeInfo[] nodes, string? args = null)
    {
        var handle = new PreemptionTestHandle(nodes);
        using var doc = args is null ? null : JsonDocument.Parse(args);
        var plugin = (Plugin)Plugin.New(doc?.RootElement, handle);
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
    public void Score_PreferredAffinity_FavoursTheZoneOfMatchingPods()
    {
        var nodes = ThreeNodes(("a", PodBuilder.Pod("db").Label("app", "db")));
        var pod = PodBuilder.Pod("web").Affinity(PreferredAffinity(5, Term("app", "db", Zone))).Build();

        var scores = Scores(pod, nodes);

        Assert.Equal(new Dictionary<string, long> { ["a"] = 100, ["b"] = 100, ["c"] = 0 }, scores);
    }

    [Fact]
    public void Score_PreferredAntiAffinity_FavoursOtherZones()
    {
        var nodes = ThreeNodes(("a", PodBuilder.Pod("db").Label("app", "db")));
        var pod = PodBuilder.Pod("web").Affinity(PreferredAntiAffinity(5, Term("app", "db", Zone))).Build();

        var scores = Scores(pod, nodes);

        Assert.Equal(new Dictionary<string, long> { ["a"] = 0, ["b"] = 0, ["c"] = 100 }, scores);
    }

    [Fact]
    public void Score_ScoresAreScaledBetweenMinimumAndMaximum()
    {
        // Raw a = b = 3 (zone term), c = 1 (hostname term): c is the minimum.
        var nodes = ThreeNodes(("a", PodBuilder.Pod("db").Label("app", "db")), ("c", PodBuilder.Pod("cache").Label("app", "cache")));
        var pod = PodBuilder.Pod("web").Affinity(new V1Affinity
        {
            PodAffinity = new V1PodAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1WeightedPodAffinityTerm { PodAffinityTerm = Term("app", "db", Zone), Weight = 3 },
                    new V1WeightedPodAffinityTerm { PodAffinityTerm = Term("app", "cache", Hostname), Weight = 1 },
                ],
            },
        }).Build();

        var scores = Scores(pod, nodes);

        Assert.Equal(new Dictionary<string, long> { ["a"] = 100, ["b"] = 100, ["c"] = 0 }, scores);
    }

    [Fact]
    public void Score_FractionalNormalizedScores_AreTruncated()
    {
        var nodes = ThreeNodes(("a", PodBuilder.Pod("db").Label("app", "db")), ("c", PodBuilder.Pod("cache").Label("app", "cache")));
        var pod = PodBuilder.Pod("web").Affinity(new V1Affinity
        {
            PodAffinity = new V1PodAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1WeightedPodAffinityTerm { PodAffinityTerm = Term("app", "db", Hostname), Weight = 3 },
                    new V1WeightedPodAffinityTerm { PodAffinityTerm = Term("app", "cache", Hostname), Weight = 1 },
                ],
            },
        }).Build();

        var scores = Scores(pod, nodes);

        // Raw a=3, b=0, c=1: c = 100 * 1/3 = 33.3 -> 33.
        Assert.Equal(new Dictionary<string, long> { ["a"] = 100, ["b"] = 0, ["c"] = 33 }, scores);
    }

    [Fact]
    public void Score_ExistingPodRequiredAffinity_CountsWithHardPodAffinityWeight()
    {
        var existing = PodBuilder.Pod("sidecar").Affinity(RequiredAffinity(Term("app", "web", Zone))).Build();
        var pod = PodBuilder.Pod("web").Label("app", "web").Build();

        var scores = Scores(pod, ThreeNodes(("a", existing)));
        var skipped = Scores(pod, ThreeNodes(("a", existing)), "{\"hardPodAffinityWeight\": 0}");

        Assert.Equal(new Dictionary<string, long> { ["a"] = 100, ["b"] = 100, ["c"] = 0 }, scores);
        Assert.Null(skipped);
    }

    [Fact]
    public void Score_ExistingPodPreferredAntiAffinity_PushesIncomingPodAway()
    {
        var existing = PodBuilder.Pod("loner").Affinity(PreferredAntiAffinity(10, Term("app", "web", Hostname))).Build();
        var pod = PodBuilder.Pod("web").Label("app", "web").Build();

        var scores = Scores(pod, ThreeNodes(("b", existing)));

        Assert.Equal(new Dictionary<string, long> { ["a"] = 100, ["b"] = 0, ["c"] = 100 }, scores);
    }

    [Fact]
    public void PreScore_IgnorePreferredTermsOfExistingPods_SkipsPodWithoutPreferences()
    {
        var existing = PodBuilder.Pod("loner").Affinity(PreferredAntiAffinity(10, Term("app", "web", Hostname))).Build();
        var pod = PodBuilder.Pod("web").Label("app", "web").Build();

        Assert.Null(Scores(pod, ThreeNodes(("b", existing)), "{\"ignorePreferredTermsOfExistingPods\": true}"));
    }

    [Fact]
    public void PreScore_NothingMatches_Skips()
    {
        var pod = PodBuilder.Pod("web").Affinity(PreferredAffinity(5, Term("app", "db", Zone))).Build();

        Assert.Null(Scores(pod, ThreeNodes(("a", PodBuilder.Pod("x").Label("app", "other")))));
    }
}
