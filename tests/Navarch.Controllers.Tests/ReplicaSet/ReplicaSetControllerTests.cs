using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Client.Informers;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.ReplicaSet;

public sealed class ReplicaSetControllerTests(ReplicaSetFixture fixture) : IClassFixture<ReplicaSetFixture>
{
    private IKubernetes Admin => fixture.Admin;

    [Fact]
    public async Task ScaleUp_FromZeroToFive_CreatesExactlyFiveOwnedPods()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-up");
        await using var seen = await PodWatch.StartAsync(Admin, ns);
        var rs = await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "up", 0), ns);
        await fixture.WaitForStatusAsync(ns, "web", s => s.ObservedGeneration == rs.Metadata.Generation, "the zero-replica ReplicaSet observed");

        await fixture.ScaleAsync(ns, "web", 5);
        var pods = await fixture.WaitForPodsAsync(ns, 5);
        await fixture.WaitForStatusAsync(ns, "web", s => s.Replicas == 5 && s.FullyLabeledReplicas == 5, "status.replicas 5");

        // Hold for a while: in-flight creates, resyncs and status writes must not produce a sixth pod.
        await ReplicaSetFixture.HoldsAsync(() => Task.FromResult(seen.Count <= 5), TimeSpan.FromSeconds(2), "at most 5 pods ever created");

        Assert.Equal(5, seen.Count);
        foreach (var pod in pods)
        {
            Assert.StartsWith("web-", pod.Metadata.Name);
            Assert.Equal("web-", pod.Metadata.GenerateName);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("apps/v1", "ReplicaSet", "web", rs.Metadata.Uid), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid));
            Assert.True(owner.Controller);
            Assert.True(owner.BlockOwnerDeletion);
            Assert.Equal("web", pod.Metadata.Labels["tier"]);
        }
    }

    [Fact]
    public async Task ScaleUp_WhileTheReplicaSetKeepsChanging_NeverCreatesMoreThanAsked()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-churn");
        await using var seen = await PodWatch.StartAsync(Admin, ns);
        await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "churn", 0), ns);

        // Every annotation change is an event that triggers a sync while the controller's own creates are in
        // flight; only the expectations keep those syncs from creating the same pods again.
        await fixture.ScaleAsync(ns, "web", 20);
        for (var i = 0; i < 40 && seen.Count < 20; i++)
        {
            await Admin.AppsV1.PatchNamespacedReplicaSetAsync(
                new V1Patch($"{{\"metadata\":{{\"annotations\":{{\"churn\":\"{i}\"}}}}}}", V1Patch.PatchType.MergePatch), "web", ns);
        }

        await fixture.WaitForPodsAsync(ns, 20);
        await fixture.WaitForStatusAsync(ns, "web", s => s.Replicas == 20, "status.replicas 20");
        await ReplicaSetFixture.HoldsAsync(() => Task.FromResult(seen.Count <= 20), TimeSpan.FromSeconds(1), "at most 20 pods ever created");

        Assert.Equal(20, seen.Count);
    }

    [Fact]
    public async Task ScaleDown_DeletesUnreadyPodsBeforeReadyOnes()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-down");
        await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "down", 4), ns);
        var pods = await fixture.WaitForPodsAsync(ns, 4);
        var kubelet = new FakeKubelet(Admin);
        await kubelet.RunAsync(pods[0], ready: true);
        await kubelet.RunAsync(pods[1], ready: false);
        await kubelet.RunAsync(pods[2], ready: true);
        // pods[3] stays Pending: least valuable of all.
        await fixture.WaitForStatusAsync(ns, "web", s => s.ReadyReplicas == 2, "two ready replicas");

        await fixture.ScaleAsync(ns, "web", 2);
        var left = await fixture.WaitForPodsAsync(ns, 2);

        Assert.Equal(
            new[] { pods[0].Metadata.Name, pods[2].Metadata.Name }.Order(),
            left.Select(p => p.Metadata.Name).Order());
        await fixture.WaitForStatusAsync(ns, "web", s => s.Replicas == 2 && s.ReadyReplicas == 2, "status after scale-down");
        Assert.Equal(2, (await fixture.LivePodsAsync(ns)).Count);
    }

    [Fact]
    public async Task ScaleDown_AmongReadyPods_DeletesTheOneReadyForLeastTime()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-age");
        await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "age", 3), ns);
        var pods = await fixture.WaitForPodsAsync(ns, 3);
        var now = DateTime.UtcNow;
        await MarkReadySinceAsync(pods[0], now.AddHours(-5));
        await MarkReadySinceAsync(pods[1], now.AddSeconds(-10));
        await MarkReadySinceAsync(pods[2], now.AddDays(-3));
        await fixture.WaitForStatusAsync(ns, "web", s => s.ReadyReplicas == 3, "three ready replicas");

        await fixture.ScaleAsync(ns, "web", 2);
        var left = await fixture.WaitForPodsAsync(ns, 2);

        Assert.DoesNotContain(left, p => p.Metadata.Name == pods[1].Metadata.Name);
    }

    [Fact]
    public async Task ScaleDown_OfAControlledReplicaSet_PrefersPodsDoubledUpOnANode()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-rank");
        var rs = ReplicaSetFixture.NewReplicaSet("web", "rank", 3);

        // As a Deployment's ReplicaSet: siblings under the same controller rank pods by how crowded their node is.
        rs.Metadata.OwnerReferences =
        [
            new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web", Uid = Guid.NewGuid().ToString(), Controller = true },
        ];
        await Admin.AppsV1.CreateNamespacedReplicaSetAsync(rs, ns);
        var pods = await fixture.WaitForPodsAsync(ns, 3);
        var kubelet = new FakeKubelet(Admin);
        await kubelet.RunAsync(pods[0], ready: false, nodeName: "node-alone");
        await kubelet.RunAsync(pods[1], ready: false, nodeName: "node-shared");
        await kubelet.RunAsync(pods[2], ready: false, nodeName: "node-shared");
        // The lone pod has been ready for the least time: without ranks it would be the one to go.
        await MarkReadySinceAsync(pods[0], DateTime.UtcNow.AddMinutes(-10));
        await MarkReadySinceAsync(pods[1], DateTime.UtcNow.AddDays(-1));
        await MarkReadySinceAsync(pods[2], DateTime.UtcNow.AddDays(-1));
        await fixture.WaitForStatusAsync(ns, "web", s => s.ReadyReplicas == 3, "three ready replicas");

        await fixture.ScaleAsync(ns, "web", 2);
        var left = await fixture.WaitForPodsAsync(ns, 2);

        Assert.Contains(left, p => p.Metadata.Name == pods[0].Metadata.Name);
        Assert.Equal(1, left.Count(p => p.Spec.NodeName == "node-shared"));
    }

    [Fact]
    public async Task Orphan_WithMatchingLabels_IsAdoptedInsteadOfCreatingANewPod()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-adopt");
        var orphan = await Admin.CoreV1.CreateNamespacedPodAsync(Pod("orphan", "adopt"), ns);
        var rs = await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "adopt", 1), ns);

        var adopted = await Eventually.ValueAsync(
            () => Admin.CoreV1.ReadNamespacedPodAsync("orphan", ns),
            p => p.Metadata.OwnerReferences?.Any(r => r.Uid == rs.Metadata.Uid && r.Controller == true) == true,
            "the orphan adopted");
        var reference = Assert.Single(adopted.Metadata.OwnerReferences);
        Assert.Equal(("apps/v1", "ReplicaSet", "web", true), (reference.ApiVersion, reference.Kind, reference.Name, reference.BlockOwnerDeletion == true));
        await fixture.WaitForStatusAsync(ns, "web", s => s.Replicas == 1 && s.ObservedGeneration == rs.Metadata.Generation, "one replica");
        Assert.Equal(orphan.Metadata.Uid, Assert.Single(await fixture.LivePodsAsync(ns)).Metadata.Uid);
    }

    [Fact]
    public async Task OwnedPod_WhoseLabelsStopMatching_IsReleasedAndReplaced()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-release");
        var rs = await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "release", 1), ns);
        var pod = Assert.Single(await fixture.WaitForPodsAsync(ns, 1));

        await Admin.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"app\":\"debugging\"}}}", V1Patch.PatchType.MergePatch), pod.Metadata.Name, ns);

        await Eventually.TrueAsync(
            async () => (await Admin.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, ns)).Metadata.OwnerReferences is not { Count: > 0 },
            "the relabelled pod released");
        var pods = await fixture.WaitForPodsAsync(ns, 2);
        var replacement = Assert.Single(pods, p => p.Metadata.Name != pod.Metadata.Name);
        Assert.Equal(rs.Metadata.Uid, Assert.Single(replacement.Metadata.OwnerReferences).Uid);
        await fixture.WaitForStatusAsync(ns, "web", s => s.Replicas == 1, "one replica after release");
    }

    [Fact]
    public async Task MinReadySeconds_ReadyPodBecomesAvailableOnlyAfterIt_WithoutOtherEvents()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-avail");
        await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "avail", 1, minReadySeconds: 3), ns);
        var pod = Assert.Single(await fixture.WaitForPodsAsync(ns, 1));
        await new FakeKubelet(Admin).RunAsync(pod, ready: true);

        var early = await fixture.WaitForStatusAsync(ns, "web", s => s.ReadyReplicas == 1, "the ready replica counted");
        Assert.Equal(0, early.Status.AvailableReplicas ?? 0);

        // Nothing changes after this; only the controller's own requeue can report availability.
        var available = await fixture.WaitForStatusAsync(ns, "web", s => s.AvailableReplicas == 1, "the replica available", TimeSpan.FromSeconds(10));
        Assert.Equal(1, available.Status.ReadyReplicas);
    }

    [Fact]
    public async Task SpecChange_IsReflectedInObservedGeneration()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-gen");
        var rs = await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "gen", 1), ns);
        await fixture.WaitForStatusAsync(ns, "web", s => s.ObservedGeneration == rs.Metadata.Generation && s.Replicas == 1, "generation 1 observed");

        await fixture.ScaleAsync(ns, "web", 3);
        var updated = await fixture.ReadAsync(ns, "web");
        Assert.True(updated.Metadata.Generation > rs.Metadata.Generation);
        await fixture.WaitForStatusAsync(ns, "web", s => s.ObservedGeneration == updated.Metadata.Generation && s.Replicas == 3, "the new generation observed");
    }

    [Fact]
    public async Task DeletedPod_IsReplaced()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-replace");
        await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "replace", 2), ns);
        var pods = await fixture.WaitForPodsAsync(ns, 2);

        await Admin.CoreV1.DeleteNamespacedPodAsync(pods[0].Metadata.Name, ns);

        var after = await Eventually.ValueAsync(
            () => fixture.LivePodsAsync(ns),
            live => live.Count == 2 && live.All(p => p.Metadata.Name != pods[0].Metadata.Name),
            "a replacement for the deleted pod");
        Assert.Contains(after, p => p.Metadata.Name == pods[1].Metadata.Name);
    }

    [Fact]
    public async Task GracefullyDeletedPod_IsReplacedWhileItIsStillTerminating()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-grace");
        await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "grace", 2), ns);
        var pods = await fixture.WaitForPodsAsync(ns, 2);
        var kubelet = new FakeKubelet(Admin);
        await kubelet.RunAsync(pods[0], ready: true, nodeName: "node-a");

        // Bound to a node, the pod stays Terminating until its kubelet finishes it; the ReplicaSet does not wait.
        await Admin.CoreV1.DeleteNamespacedPodAsync(pods[0].Metadata.Name, ns);
        var terminating = await Admin.CoreV1.ReadNamespacedPodAsync(pods[0].Metadata.Name, ns);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);

        await Eventually.TrueAsync(
            async () => (await fixture.LivePodsAsync(ns)).Count(p => p.Metadata.Name != pods[0].Metadata.Name) == 2,
            "a replacement beside the terminating pod");
        await fixture.WaitForStatusAsync(ns, "web", s => s.Replicas == 2, "two replicas, the terminating one not counted");

        await kubelet.FinishTerminatingAsync(ns);
        await ReplicaSetFixture.HoldsAsync(async () => (await fixture.LivePodsAsync(ns)).Count == 2, TimeSpan.FromMilliseconds(500), "two live pods");
    }

    [Fact]
    public async Task FailingCreates_SetReplicaFailure_AndSucceedingCreatesRemoveIt()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rs-fail");
        var priorityClass = "rs-test-" + Guid.NewGuid().ToString("N")[..8];
        await Admin.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSetFixture.NewReplicaSet("web", "fail", 3, priorityClassName: priorityClass), ns);

        var failed = await fixture.WaitForStatusAsync(ns, "web",
            s => s.Conditions?.Any(c => c.Type == "ReplicaFailure") == true, "the ReplicaFailure condition");
        var condition = Assert.Single(failed.Status.Conditions);
        Assert.Equal(("True", "FailedCreate"), (condition.Status, condition.Reason));
        Assert.Contains($"no PriorityClass with name {priorityClass} was found", condition.Message);
        Assert.Empty(await fixture.LivePodsAsync(ns));

        await Admin.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = priorityClass }, Value = 1000 });
        try
        {
            var healed = await fixture.WaitForStatusAsync(ns, "web",
                s => s.Replicas == 3 && s.Conditions is not { Count: > 0 }, "the condition removed after successful creates", TimeSpan.FromSeconds(30));
            Assert.Equal(3, healed.Status.Replicas);
        }
        finally
        {
            await Admin.SchedulingV1.DeletePriorityClassAsync(priorityClass);
        }
    }

    /// <summary>Marks a pod Running and Ready since <paramref name="since"/>, as a kubelet would have reported it then.</summary>
    private Task MarkReadySinceAsync(V1Pod pod, DateTime since)
    {
        var time = since.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var patch = $$$"""{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"{{{time}}}"}]}}""";
        return Admin.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), pod.Metadata.Name, pod.Metadata.NamespaceProperty);
    }

    private static V1Pod Pod(string name, string app) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app, ["tier"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "registry.k8s.io/pause:3.10" }] },
    };

    /// <summary>Counts every distinct pod ever seen in a namespace through a watch, so a pod created and deleted again still counts.</summary>
    private sealed class PodWatch : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, bool> _uids = new();
        private readonly CancellationTokenSource _stop = new();
        private SharedIndexInformer<V1Pod>? _informer;
        private Task? _running;

        public int Count => _uids.Count;

        public static async Task<PodWatch> StartAsync(IKubernetes client, string ns)
        {
            var watch = new PodWatch();
            watch._informer = new SharedIndexInformer<V1Pod>(client, NullLoggerFactory.Instance, TimeProvider.System, new InformerOptions { Namespace = ns });
            watch._informer.AddEventHandler(new ResourceEventHandler<V1Pod>((pod, _) => watch._uids.TryAdd(pod.Metadata.Uid, true), null, null));
            watch._running = watch._informer.RunAsync(watch._stop.Token);
            await watch._informer.WaitForSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            return watch;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_running is not null)
            {
                try
                {
                    await _running.WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (OperationCanceledException)
                {
                }
            }

            _stop.Dispose();
        }
    }
}
