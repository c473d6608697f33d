using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Controllers.DaemonSet;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.DaemonSet;

public sealed class DaemonSetControllerTests(DaemonSetFixture fixture) : IClassFixture<DaemonSetFixture>
{
    private readonly IKubernetes _admin = fixture.Admin;

    /// <summary>Labels unique to one test, so nodes of other tests (nodes are cluster-wide) never match.</summary>
    private static Dictionary<string, string> TestLabels(out string id)
    {
        id = Guid.NewGuid().ToString("N")[..10];
        return new Dictionary<string, string> { ["test"] = id };
    }

    private static string NodesByTarget(IEnumerable<V1Pod> pods) =>
        string.Join(",", pods.Select(p => DaemonPlacement.TargetNodeName(p)).Order(StringComparer.Ordinal));

    [Fact]
    public async Task Create_PlacesOnePodOnEachEligibleNode()
    {
        var labels = TestLabels(out var id);
        await fixture.NodeAsync($"{id}-plain", new(labels) { ["role"] = "edge" });
        await fixture.NodeAsync($"{id}-other", new(labels) { ["role"] = "core" });
        await fixture.NodeAsync($"{id}-tainted", new(labels) { ["role"] = "edge" }, new V1Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" });
        await fixture.NodeAsync($"{id}-cordoned", new(labels) { ["role"] = "edge" },
            new V1Taint { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" });
        var ns = await fixture.Cluster.NamespaceAsync("ds");

        var ds = await _admin.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSetFixture.DaemonSet("agent", new(labels) { ["role"] = "edge" }), ns);

        var pods = await Eventually.ValueAsync(() => fixture.ActivePodsAsync(ns), p => p.Count == 2, "two daemon pods");
        Assert.Equal($"{id}-cordoned,{id}-plain", NodesByTarget(pods));
        var pod = pods[0];
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.Equal(("apps/v1", "DaemonSet", ds.Metadata.Uid, true), (owner.ApiVersion, owner.Kind, owner.Uid, owner.Controller == true));
        Assert.True(pod.Metadata.Labels.ContainsKey(DaemonSetController.RevisionHashLabel));
        Assert.Equal("1", pod.Metadata.Annotations[DaemonSetController.TemplateGenerationAnnotation]);
        Assert.StartsWith("agent-", pod.Metadata.Name, StringComparison.Ordinal);
        var field = Assert.Single(Assert.Single(pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms).MatchFields);
        Assert.Equal("metadata.name", field.Key);
        Assert.Contains(pod.Spec.Tolerations, t => t is { Key: "node.kubernetes.io/not-ready", Effect: "NoExecute", OperatorProperty: "Exists", TolerationSeconds: null });
        Assert.Contains(pod.Spec.Tolerations, t => t is { Key: "node.kubernetes.io/unschedulable", Effect: "NoSchedule" });

        // Stays at two: expectations keep a second sync from creating again.
        await Eventually.TrueAsync(async () =>
        {
            var status = (await _admin.AppsV1.ReadNamespacedDaemonSetStatusAsync("agent", ns)).Status;
            return status.DesiredNumberScheduled == 2 && status.CurrentNumberScheduled == 2 && status.NumberReady == 0
                && status.NumberUnavailable == 2 && status.UpdatedNumberScheduled == 2 && status.ObservedGeneration == 1;
        }, "status before pods run");

        await fixture.RunAllAsync(ns);
        await Eventually.TrueAsync(async () =>
        {
            var status = (await _admin.AppsV1.ReadNamespacedDaemonSetStatusAsync("agent", ns)).Status;
            return status.NumberReady == 2 && status.NumberAvailable == 2 && (status.NumberUnavailable ?? 0) == 0 && status.NumberMisscheduled == 0;
        }, "status after pods run");
        Assert.Equal(2, (await fixture.ActivePodsAsync(ns)).Count);
        // Events are written in the background.
        await Eventually.TrueAsync(async () => (await _admin.CoreV1.ListNamespacedEventAsync(ns)).Items.Any(e =>
            e.Reason == "SuccessfulCreate" && e.Message == $"Created pod: {pod.Metadata.Name}" && e.Source?.Component == DaemonSetController.Component),
            "a SuccessfulCreate event from the daemonset-controller");
    }

    [Fact]
    public async Task NodeAddedAndRelabelled_AddsAndRemovesDaemonPods()
    {
        var labels = TestLabels(out var id);
        await fixture.NodeAsync($"{id}-a", labels);
        var ns = await fixture.Cluster.NamespaceAsync("ds");
        await _admin.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSetFixture.DaemonSet("agent", labels), ns);
        await Eventually.ValueAsync(() => fixture.ActivePodsAsync(ns), p => p.Count == 1, "one daemon pod");

        await fixture.NodeAsync($"{id}-b", labels);
        var pods = await Eventually.ValueAsync(() => fixture.ActivePodsAsync(ns), p => p.Count == 2, "a pod on the new node");
        Assert.Equal($"{id}-a,{id}-b", NodesByTarget(pods));

        var patch = new V1Patch(JsonSerializer.Serialize(new { metadata = new { labels = new Dictionary<string, string?> { ["test"] = null } } }), V1Patch.PatchType.MergePatch);
        await _admin.CoreV1.PatchNodeAsync(patch, $"{id}-a");

        pods = await Eventually.ValueAsync(() => fixture.ActivePodsAsync(ns), p => p.Count == 1, "the pod of the relabelled node gone");
        Assert.Equal($"{id}-b", NodesByTarget(pods));
    }

    [Fact]
    public async Task FailedDaemonPod_IsReplaced()
    {
        var labels = TestLabels(out var id);
        await fixture.NodeAsync($"{id}-a", labels);
        var ns = await fixture.Cluster.NamespaceAsync("ds");
        await _admin.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSetFixture.DaemonSet("agent", labels), ns);
        var first = Assert.Single(await Eventually.ValueAsync(() => fixture.ActivePodsAsync(ns), p => p.Count == 1, "one daemon pod"));
        await fixture.RunAllAsync(ns);

        await fixture.Kubelet.FinishAsync(first, succeeded: false);

        var replacement = await Eventually.ValueAsync(
            () => fixture.ActivePodsAsync(ns), p => p.Count == 1 && p[0].Metadata.Uid != first.Metadata.Uid, "a replacement pod");
        Assert.Equal($"{id}-a", DaemonPlacement.TargetNodeName(replacement[0]));
    }

    [Fact]
    public async Task RollingUpdate_ReplacesAtMostMaxUnavailablePodsAtATime()
    {
        var labels = TestLabels(out var id);
        for (var i = 0; i < 3; i++) await fixture.NodeAsync($"{id}-{i}", labels);
        var ns = await fixture.Cluster.NamespaceAsync("ds");
        await _admin.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSetFixture.DaemonSet("agent", labels), ns);
        await Eventually.ValueAsync(() => fixture.ActivePodsAsync(ns), p => p.Count == 3, "three daemon pods");
        await fixture.RunAllAsync(ns);
        await Eventually.TrueAsync(async () => (await _admin.AppsV1.ReadNamespacedDaemonSetStatusAsync("agent", ns)).Status.NumberAvailable == 3, "all available");

        var patch = new V1Patch(
            JsonSerializer.Serialize(new { spec = new { template = new { spec = new { containers = new[] { new { name = "c", image = "registry.k8s.io/pause:3.9" } } } } } }),
            V1Patch.PatchType.StrategicMergePatch);
        await _admin.AppsV1.PatchNamespacedDaemonSetAsync(patch, "agent", ns);

        var replaced = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < 3; round++)
        {
            // The controller deletes one old pod (graceful: it stays Terminating until the kubelet finishes it) ...
            var terminating = await Eventually.ValueAsync(
                async () => (await _admin.CoreV1.ListNamespacedPodAsync(ns)).Items.Where(p => p.Metadata.DeletionTimestamp is not null).ToList(),
                t => t.Count > 0, $"an old pod terminating (round {round})");
            // ... and no second one while that node has no available pod.
            var deadline = DateTime.UtcNow.AddMilliseconds(400);
            while (DateTime.UtcNow < deadline)
            {
                var all = (await _admin.CoreV1.ListNamespacedPodAsync(ns)).Items;
                Assert.True(all.Count(p => p.Metadata.DeletionTimestamp is not null) <= 1, "more than maxUnavailable pods replaced at once");
                await Task.Delay(50);
            }

            var node = DaemonPlacement.TargetNodeName(Assert.Single(terminating))!;
            Assert.True(replaced.Add(node), $"node {node} updated twice");
            await fixture.Kubelet.FinishTerminatingAsync(ns);
            await Eventually.ValueAsync(
                () => fixture.ActivePodsAsync(ns),
                p => p.Count == 3 && p.Any(x => DaemonPlacement.TargetNodeName(x) == node && x.Spec.Containers[0].Image.EndsWith("3.9", StringComparison.Ordinal)),
                $"an updated pod on {node}");
            await fixture.RunAllAsync(ns);
        }

        var final = await fixture.ActivePodsAsync(ns);
        Assert.All(final, p => Assert.Equal("registry.k8s.io/pause:3.9", p.Spec.Containers[0].Image));
        await Eventually.TrueAsync(async () =>
        {
            var status = (await _admin.AppsV1.ReadNamespacedDaemonSetStatusAsync("agent", ns)).Status;
            return status.UpdatedNumberScheduled == 3 && status.NumberAvailable == 3 && status.ObservedGeneration == 2;
        }, "status after the update");
    }

    [Fact]
    public async Task OnDelete_DoesNotReplaceRunningPods()
    {
        var labels = TestLabels(out var id);
        await fixture.NodeAsync($"{id}-a", labels);
        var ns = await fixture.Cluster.NamespaceAsync("ds");
        var ds = DaemonSetFixture.DaemonSet("agent", labels);
        ds.Spec.UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = "OnDelete" };
        await _admin.AppsV1.CreateNamespacedDaemonSetAsync(ds, ns);
        var original = Assert.Single(await Eventually.ValueAsync(() => fixture.ActivePodsAsync(ns), p => p.Count == 1, "one daemon pod"));
        await fixture.RunAllAsync(ns);

        var patch = new V1Patch(
            JsonSerializer.Serialize(new { spec = new { template = new { spec = new { containers = new[] { new { name = "c", image = "registry.k8s.io/pause:3.9" } } } } } }),
            V1Patch.PatchType.StrategicMergePatch);
        await _admin.AppsV1.PatchNamespacedDaemonSetAsync(patch, "agent", ns);
        await Eventually.TrueAsync(async () =>
        {
            var status = (await _admin.AppsV1.ReadNamespacedDaemonSetStatusAsync("agent", ns)).Status;
            return status.ObservedGeneration == 2 && (status.UpdatedNumberScheduled ?? 0) == 0;
        }, "the new generation observed with no updated pods");
        Assert.Equal(original.Metadata.Uid, Assert.Single(await fixture.ActivePodsAsync(ns)).Metadata.Uid);

        await _admin.CoreV1.DeleteNamespacedPodAsync(original.Metadata.Name, ns);
        await fixture.Kubelet.FinishTerminatingAsync(ns);
        var updated = await Eventually.ValueAsync(
            () => fixture.ActivePodsAsync(ns), p => p.Count == 1 && p[0].Metadata.Uid != original.Metadata.Uid, "a new pod after the delete");
        Assert.Equal("registry.k8s.io/pause:3.9", updated[0].Spec.Containers[0].Image);
    }
}
