using System.Diagnostics;
using k8s;
using k8s.Models;
using Navarch.Api.Scheduling;
using Navarch.Controllers.NodeLifecycle;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.NodeLifecycle;

public sealed class NodeLifecycleControllerTests : IClassFixture<NodeLifecycleFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly NodeLifecycleFixture _fixture;

    public NodeLifecycleControllerTests(NodeLifecycleFixture fixture) => _fixture = fixture;

    private IKubernetes Client => _fixture.Admin;

    [Fact]
    public async Task Node_WhoseLeaseStops_GoesUnknownAndUnreachable_ThenRecovers()
    {
        var ns = await _fixture.Cluster.NamespaceAsync("nlc");
        var node = await _fixture.CreateHealthyNodeAsync("lost");
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), ns);
        await new FakeKubelet(Client).RunAsync(pod, ready: true, nodeName: node);
        var watch = Stopwatch.StartNew();

        var unknown = await Eventually.ValueAsync(
            () => Client.CoreV1.ReadNodeAsync(node),
            n => n.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "Unknown"),
            "Ready becomes Unknown", Deadline);
        Assert.True(watch.Elapsed >= NodeLifecycleFixture.Grace - TimeSpan.FromMilliseconds(200), $"went Unknown after {watch.Elapsed}, before the grace period");
        var ready = unknown.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("NodeStatusUnknown", ready.Reason);
        Assert.Equal("Kubelet stopped posting node status.", ready.Message);
        Assert.All(unknown.Status.Conditions.Where(c => c.Type is "MemoryPressure" or "DiskPressure" or "PIDPressure"), c => Assert.Equal("Unknown", c.Status));

        var tainted = await Eventually.ValueAsync(
            () => Client.CoreV1.ReadNodeAsync(node),
            n => HasTaint(n, Taints.Unreachable, "NoExecute") && HasTaint(n, Taints.Unreachable, "NoSchedule"),
            "the unreachable taints", Deadline);
        Assert.NotNull(tainted.Spec.Taints.Single(t => t.Effect == "NoExecute").TimeAdded);

        // MarkPodsNotReady; the pod tolerates unreachable for 300 s (DefaultTolerationSeconds), so it stays.
        var notReady = await Eventually.ValueAsync(
            () => Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, ns),
            p => p.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "False"),
            "the pod is marked not ready", Deadline);
        Assert.Null(notReady.Metadata.DeletionTimestamp);

        await _fixture.HeartbeatAsync(node);
        var recovered = await Eventually.ValueAsync(
            () => Client.CoreV1.ReadNodeAsync(node),
            n => n.Spec.Taints is null || !n.Spec.Taints.Any(t => t.Key is Taints.Unreachable or Taints.NotReady),
            "the taints are removed once Ready is posted again", Deadline);
        Assert.Equal("True", recovered.Status.Conditions.Single(c => c.Type == "Ready").Status);
    }

    [Fact]
    public async Task Pod_WithShortToleration_IsEvictedAfterIt_WhileDefaultTolerationKeepsOthers()
    {
        var ns = await _fixture.Cluster.NamespaceAsync("evict");
        var node = await _fixture.CreateHealthyNodeAsync("gone");
        var shortPod = Pod("short");
        shortPod.Spec.Tolerations = [new V1Toleration { Key = Taints.Unreachable, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 2 }];
        var kubelet = new FakeKubelet(Client);
        var shortCreated = await Client.CoreV1.CreateNamespacedPodAsync(shortPod, ns);
        var longCreated = await Client.CoreV1.CreateNamespacedPodAsync(Pod("long"), ns);
        await kubelet.RunAsync(shortCreated, nodeName: node);
        await kubelet.RunAsync(longCreated, nodeName: node);

        await Eventually.TrueAsync(async () => HasTaint(await Client.CoreV1.ReadNodeAsync(node), Taints.Unreachable, "NoExecute"), "the node is tainted unreachable", Deadline);
        var tainted = Stopwatch.StartNew();
        var evicted = await Eventually.ValueAsync(
            () => Client.CoreV1.ReadNamespacedPodAsync(shortCreated.Metadata.Name, ns),
            p => p.Metadata.DeletionTimestamp is not null,
            "the pod with a 2 s toleration is deleted", Deadline);

        Assert.True(tainted.Elapsed >= TimeSpan.FromSeconds(1.2), $"evicted {tainted.Elapsed} after the taint, before its toleration ran out");
        var disruption = evicted.Status.Conditions.Single(c => c.Type == "DisruptionTarget");
        Assert.Equal("DeletionByTaintManager", disruption.Reason);
        Assert.Null((await Client.CoreV1.ReadNamespacedPodAsync(longCreated.Metadata.Name, ns)).Metadata.DeletionTimestamp);
        await Eventually.TrueAsync(
            async () => (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Any(e =>
                e.Reason == "TaintManagerEviction" && e.Message == $"Marking for deletion Pod {ns}/{shortCreated.Metadata.Name}"),
            "a TaintManagerEviction event", Deadline);
    }

    [Fact]
    public async Task Pod_NotToleratingNoExecuteTaint_IsEvictedAtOnce()
    {
        // Every pod tolerates unreachable/not-ready for 300 s through DefaultTolerationSeconds, so an intolerable
        // NoExecute taint is one of the cluster's own.
        var ns = await _fixture.Cluster.NamespaceAsync("intol");
        var node = await _fixture.CreateHealthyNodeAsync("drain");
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(Pod("plain"), ns);
        await new FakeKubelet(Client).RunAsync(pod, nodeName: node);

        // The controller writes the node too, so retry the read-modify-write on conflicts.
        await Eventually.TrueAsync(async () =>
        {
            var current = await Client.CoreV1.ReadNodeAsync(node);
            current.Spec ??= new V1NodeSpec();
            current.Spec.Taints = [.. current.Spec.Taints ?? [], new V1Taint { Key = "example.com/maintenance", Effect = "NoExecute" }];
            try
            {
                await Client.CoreV1.ReplaceNodeAsync(current, node);
                return true;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                return false;
            }
        }, "the node is tainted", TimeSpan.FromSeconds(5));
        var watch = Stopwatch.StartNew();

        await Eventually.TrueAsync(
            async () => (await Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, ns)).Metadata.DeletionTimestamp is not null,
            "the pod is deleted", TimeSpan.FromSeconds(5));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void DesiredTaints_ReadyFalse_SwapsUnreachableForNotReady()
    {
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "n" },
            Spec = new V1NodeSpec { Taints = [new V1Taint { Key = Taints.Unreachable, Effect = "NoExecute" }, new V1Taint { Key = "mine", Effect = "NoSchedule" }] },
            Status = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "Ready", Status = "False" }, new V1NodeCondition { Type = "DiskPressure", Status = "True" }] },
        };

        var taints = NodeLifecycleController.DesiredTaints(node, node.Spec.Taints, DateTime.UtcNow);

        Assert.NotNull(taints);
        Assert.Equal(
            ["mine/NoSchedule", $"{Taints.DiskPressure}/NoSchedule", $"{Taints.NotReady}/NoExecute", $"{Taints.NotReady}/NoSchedule"],
            taints.Select(t => $"{t.Key}/{t.Effect}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MinTolerationTime_TakesTheShortestBoundedToleration()
    {
        var taints = new List<V1Taint> { new() { Key = Taints.Unreachable, Effect = "NoExecute" }, new() { Key = "x", Effect = "NoExecute" } };
        var tolerations = new List<V1Toleration>
        {
            new() { Key = Taints.Unreachable, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
            new() { Key = "x", OperatorProperty = "Exists", TolerationSeconds = 30 },
        };

        Assert.True(Tolerations.TryGetMatchingTolerations(taints, tolerations, out var used));
        Assert.Equal(TimeSpan.FromSeconds(30), Taints.MinTolerationTime(used));
        Assert.False(Tolerations.TryGetMatchingTolerations([.. taints, new V1Taint { Key = "y", Effect = "NoExecute" }], tolerations, out _));
        Assert.Null(Taints.MinTolerationTime([new V1Toleration { OperatorProperty = "Exists" }]));
    }

    private static bool HasTaint(V1Node node, string key, string effect) => node.Spec?.Taints?.Any(t => t.Key == key && t.Effect == effect) == true;

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
    };
}
