using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Controllers.StatefulSet;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.StatefulSet;

public sealed class StatefulSetControllerTests(StatefulSetFixture fixture) : IClassFixture<StatefulSetFixture>
{
    private readonly IKubernetes _admin = fixture.Admin;

    /// <summary>Checks that <paramref name="condition"/> holds for a while: the controller had time to act and did not.</summary>
    private static async Task StaysAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(500);
        while (DateTime.UtcNow < deadline)
        {
            Assert.True(await condition(), what);
            await Task.Delay(50);
        }
    }

    private async Task<V1StatefulSetStatus> StatusAsync(string ns, string name) =>
        (await _admin.AppsV1.ReadNamespacedStatefulSetStatusAsync(name, ns)).Status;

    private async Task ScaleUpAllReadyAsync(string ns, string name, int replicas)
    {
        for (var i = 0; i < replicas; i++)
        {
            var podName = $"{name}-{i}";
            await Eventually.ValueAsync(() => fixture.PodsAsync(ns), p => p.ContainsKey(podName), podName + " created");
            await fixture.RunAllAsync(ns);
        }

        await Eventually.TrueAsync(async () => (await StatusAsync(ns, name)).ReadyReplicas == replicas, "all replicas ready");
    }

    [Fact]
    public async Task OrderedReady_CreatesPodsOneAtATimeAfterTheLastIsReady()
    {
        var ns = await fixture.Cluster.NamespaceAsync("sts");
        var set = await _admin.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSetFixture.StatefulSet("web", 3), ns);

        var pods = await Eventually.ValueAsync(() => fixture.PodsAsync(ns), p => p.ContainsKey("web-0"), "web-0 created");
        var web0 = pods["web-0"];
        Assert.Equal("web-0", web0.Metadata.Labels[StatefulPodIdentity.PodNameLabel]);
        Assert.Equal("0", web0.Metadata.Labels[StatefulPodIdentity.PodIndexLabel]);
        Assert.StartsWith("web-", web0.Metadata.Labels[StatefulPodIdentity.RevisionLabel], StringComparison.Ordinal);
        Assert.Equal(("web-0", "web-svc"), (web0.Spec.Hostname, web0.Spec.Subdomain));
        Assert.Equal(set.Metadata.Uid, Assert.Single(web0.Metadata.OwnerReferences).Uid);
        await StaysAsync(async () => (await fixture.PodsAsync(ns)).Count == 1, "web-1 created before web-0 was ready");

        // Running but not ready is not enough.
        await fixture.Kubelet.RunAsync(web0, ready: false, nodeName: fixture.NodeName);
        await StaysAsync(async () => (await fixture.PodsAsync(ns)).Count == 1, "web-1 created while web-0 was unready");

        await fixture.Kubelet.RunAsync(web0, ready: true, nodeName: null);
        pods = await Eventually.ValueAsync(() => fixture.PodsAsync(ns), p => p.ContainsKey("web-1"), "web-1 created");
        Assert.Equal(2, pods.Count);
        await fixture.RunAllAsync(ns);
        await Eventually.ValueAsync(() => fixture.PodsAsync(ns), p => p.ContainsKey("web-2"), "web-2 created");
        await fixture.RunAllAsync(ns);

        var status = await Eventually.ValueAsync(() => StatusAsync(ns, "web"), s => s.ReadyReplicas == 3, "three ready");
        Assert.Equal(3, status.Replicas);
        Assert.Equal(3, status.AvailableReplicas);
        Assert.Equal(3, status.CurrentReplicas);
        Assert.Equal(3, status.UpdatedReplicas);
        Assert.Equal(status.CurrentRevision, status.UpdateRevision);
        Assert.Equal(1, status.ObservedGeneration);

        // Events are written in the background.
        await Eventually.TrueAsync(async () => (await _admin.CoreV1.ListNamespacedEventAsync(ns)).Items.Any(e =>
            e.Reason == "SuccessfulCreate" && e.Message == "create Pod web-0 in StatefulSet web successful" && e.Source?.Component == StatefulSetController.Component),
            "a SuccessfulCreate event from the statefulset-controller");
    }

    [Fact]
    public async Task Parallel_CreatesAllPodsAtOnce()
    {
        var ns = await fixture.Cluster.NamespaceAsync("sts");
        await _admin.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSetFixture.StatefulSet("db", 3, "Parallel"), ns);

        var pods = await Eventually.ValueAsync(() => fixture.PodsAsync(ns), p => p.Count == 3, "three pods without any running");

        Assert.Equal(["db-0", "db-1", "db-2"], pods.Keys.Order(StringComparer.Ordinal));
        Assert.All(pods.Values, p => Assert.NotEqual("Running", p.Status?.Phase));
    }

    [Fact]
    public async Task ScaleDown_RemovesHighestOrdinalFirstWaitingForTermination()
    {
        var ns = await fixture.Cluster.NamespaceAsync("sts");
        await _admin.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSetFixture.StatefulSet("web", 3), ns);
        await ScaleUpAllReadyAsync(ns, "web", 3);

        var scale = new V1Patch(JsonSerializer.Serialize(new { spec = new { replicas = 1 } }), V1Patch.PatchType.MergePatch);
        await _admin.AppsV1.PatchNamespacedStatefulSetAsync(scale, "web", ns);

        var pods = await Eventually.ValueAsync(() => fixture.PodsAsync(ns), p => p["web-2"].Metadata.DeletionTimestamp is not null, "web-2 terminating");
        Assert.Null(pods["web-1"].Metadata.DeletionTimestamp);
        await StaysAsync(async () => (await fixture.PodsAsync(ns))["web-1"].Metadata.DeletionTimestamp is null, "web-1 deleted before web-2 was gone");

        await fixture.Kubelet.FinishTerminatingAsync(ns);
        await Eventually.ValueAsync(
            () => fixture.PodsAsync(ns), p => !p.ContainsKey("web-2") && p["web-1"].Metadata.DeletionTimestamp is not null, "web-1 terminating");
        await fixture.Kubelet.FinishTerminatingAsync(ns);

        pods = await Eventually.ValueAsync(() => fixture.PodsAsync(ns), p => p.Count == 1, "only web-0 left");
        Assert.True(pods.ContainsKey("web-0"));
        await Eventually.TrueAsync(async () => (await StatusAsync(ns, "web")) is { Replicas: 1, ReadyReplicas: 1 }, "status of one replica");
    }

    [Fact]
    public async Task RollingUpdate_WithPartition_UpdatesOnlyOrdinalsAtOrAbovePartition()
    {
        var ns = await fixture.Cluster.NamespaceAsync("sts");
        await _admin.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSetFixture.StatefulSet("web", 3), ns);
        await ScaleUpAllReadyAsync(ns, "web", 3);
        var before = await StatusAsync(ns, "web");

        var patch = new V1Patch(JsonSerializer.Serialize(new
        {
            spec = new
            {
                updateStrategy = new { type = "RollingUpdate", rollingUpdate = new { partition = 1 } },
                template = new { spec = new { containers = new[] { new { name = "c", image = "registry.k8s.io/pause:3.9" } } } },
            },
        }), V1Patch.PatchType.StrategicMergePatch);
        await _admin.AppsV1.PatchNamespacedStatefulSetAsync(patch, "web", ns);

        foreach (var name in new[] { "web-2", "web-1" })
        {
            var pods = await Eventually.ValueAsync(() => fixture.PodsAsync(ns), p => p[name].Metadata.DeletionTimestamp is not null, name + " terminating");
            // One at a time, highest first: nothing else is being replaced meanwhile.
            Assert.Single(pods.Values, p => p.Metadata.DeletionTimestamp is not null);
            await fixture.Kubelet.FinishTerminatingAsync(ns);
            await Eventually.ValueAsync(
                () => fixture.PodsAsync(ns),
                p => p.TryGetValue(name, out var pod) && pod.Metadata.DeletionTimestamp is null && pod.Spec.Containers[0].Image.EndsWith("3.9", StringComparison.Ordinal),
                name + " recreated with the new template");
            await fixture.RunAllAsync(ns);
        }

        var status = await Eventually.ValueAsync(
            () => StatusAsync(ns, "web"), s => s.UpdatedReplicas == 2 && s.ReadyReplicas == 3, "two updated replicas ready");
        Assert.Equal(1, status.CurrentReplicas);
        Assert.Equal(before.CurrentRevision, status.CurrentRevision);
        Assert.NotEqual(status.CurrentRevision, status.UpdateRevision);
        await StaysAsync(async () =>
        {
            var web0 = (await fixture.PodsAsync(ns))["web-0"];
            return web0.Metadata.DeletionTimestamp is null && web0.Spec.Containers[0].Image.EndsWith("3.10", StringComparison.Ordinal);
        }, "web-0 below the partition was replaced");
        var updated = await fixture.PodsAsync(ns);
        Assert.Equal(status.UpdateRevision, updated["web-2"].Metadata.Labels[StatefulPodIdentity.RevisionLabel]);
        Assert.Equal(status.CurrentRevision, updated["web-0"].Metadata.Labels[StatefulPodIdentity.RevisionLabel]);

        // A pod below the partition that fails comes back with the current revision's template.
        await fixture.Kubelet.FinishAsync(updated["web-0"], succeeded: false);
        await Eventually.ValueAsync(
            () => fixture.PodsAsync(ns),
            p => p.TryGetValue("web-0", out var pod) && pod.Metadata.Uid != updated["web-0"].Metadata.Uid,
            "web-0 recreated");
        var recreated = (await fixture.PodsAsync(ns))["web-0"];
        Assert.Equal("registry.k8s.io/pause:3.10", recreated.Spec.Containers[0].Image);
        Assert.Equal(status.CurrentRevision, recreated.Metadata.Labels[StatefulPodIdentity.RevisionLabel]);
    }
}
