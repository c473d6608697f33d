using Navarch.Scheduler.Cache;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;

namespace Navarch.Scheduler.Tests.Cache;

public sealed class SchedulerCacheTests
{
    [Fact]
    public void AssumePod_CountsOnNode_ForgetRemovesIt()
    {
        var cache = new SchedulerCache();
        cache.AddNode(NodeBuilder.Node("a").Build());
        var pod = PodBuilder.Pod("p").Req(("cpu", "500m")).Node("a").Build();
        cache.AssumePod(new PodInfo(pod), "a");
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(500, snapshot.Get("a")!.Requested.MilliCpu);
        Assert.True(cache.IsAssumedPod(pod));

        cache.ForgetPod(pod);
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(0, snapshot.Get("a")!.Requested.MilliCpu);
        Assert.Equal(0, cache.PodCount);
    }

    [Fact]
    public void AddPod_ConfirmsAssumedPod_OnTheNodeItWasBoundTo()
    {
        var cache = new SchedulerCache();
        cache.AddNode(NodeBuilder.Node("a").Build());
        cache.AddNode(NodeBuilder.Node("b").Build());
        var assumed = PodBuilder.Pod("p").Req(("cpu", "1")).Node("a").Build();
        cache.AssumePod(new PodInfo(assumed), "a");
        cache.FinishBinding(assumed);

        cache.AddPod(PodBuilder.Pod("p").Req(("cpu", "1")).Node("b"));

        Assert.False(cache.IsAssumedPod(assumed));
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(0, snapshot.Get("a")!.Requested.MilliCpu);
        Assert.Equal(1000, snapshot.Get("b")!.Requested.MilliCpu);
        cache.ForgetPod(assumed);
        Assert.Equal(1, cache.PodCount);
    }

    [Fact]
    public void AssumePod_Twice_Throws()
    {
        var cache = new SchedulerCache();
        var pod = new PodInfo(PodBuilder.Pod("p").Node("a"));
        cache.AssumePod(pod, "a");
        Assert.Throws<InvalidOperationException>(() => cache.AssumePod(pod, "a"));
    }

    [Fact]
    public void UpdateSnapshot_ClonesOnlyChangedNodes()
    {
        var cache = new SchedulerCache();
        for (var i = 0; i < 100; i++) cache.AddNode(NodeBuilder.Node($"n{i}").Build());
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        var before = snapshot.List().ToArray();

        cache.AddPod(PodBuilder.Pod("p").Node("n42"));
        cache.UpdateSnapshot(snapshot);

        var after = snapshot.List();
        Assert.Equal(100, after.Count);
        var changed = 0;
        for (var i = 0; i < 100; i++)
        {
            if (!ReferenceEquals(before[i], after[i])) changed++;
        }

        Assert.Equal(1, changed);
        Assert.Single(snapshot.Get("n42")!.Pods);
        Assert.Empty(before.Single(n => n.Name == "n42").Pods);
    }

    [Fact]
    public void UpdateSnapshot_DropsRemovedNodes_AndKeepsPodsOfNodeUntilTheyGo()
    {
        var cache = new SchedulerCache();
        var a = NodeBuilder.Node("a").Build();
        cache.AddNode(a);
        cache.AddNode(NodeBuilder.Node("b").Build());
        cache.AddPod(PodBuilder.Pod("p").Node("a"));
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(2, snapshot.NumNodes);

        cache.RemoveNode(a);
        cache.UpdateSnapshot(snapshot);

        Assert.Equal(1, snapshot.NumNodes);
        Assert.Null(snapshot.Get("a"));
        Assert.Equal(1, cache.PodCount);
        Assert.Equal(1, cache.NodeCount);
    }

    [Fact]
    public void UpdateSnapshot_TracksNodesWithAffinityPods()
    {
        var cache = new SchedulerCache();
        cache.AddNode(NodeBuilder.Node("a").Build());
        cache.AddNode(NodeBuilder.Node("b").Build());
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        Assert.Empty(snapshot.HavePodsWithAffinity());

        var pod = PodBuilder.Pod("anti").Node("b").Affinity(new k8s.Models.V1Affinity
        {
            PodAntiAffinity = new k8s.Models.V1PodAntiAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution =
                [
                    new k8s.Models.V1PodAffinityTerm { LabelSelector = new k8s.Models.V1LabelSelector(), TopologyKey = "kubernetes.io/hostname" },
                ],
            },
        }).Build();
        cache.AddPod(pod);
        cache.UpdateSnapshot(snapshot);
        Assert.Equal("b", Assert.Single(snapshot.HavePodsWithRequiredAntiAffinity()).Name);

        cache.RemovePod(pod);
        cache.UpdateSnapshot(snapshot);
        Assert.Empty(snapshot.HavePodsWithAffinity());
    }

    [Fact]
    public void ConcurrentInformerEvents_LeaveConsistentTotals()
    {
        var cache = new SchedulerCache();
        cache.AddNode(NodeBuilder.Node("a").Build());
        Parallel.For(0, 200, i => cache.AddPod(PodBuilder.Pod($"p{i}").Req(("cpu", "10m")).Node("a")));
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(2000, snapshot.Get("a")!.Requested.MilliCpu);
    }
}
