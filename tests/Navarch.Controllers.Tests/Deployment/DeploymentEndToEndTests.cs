using k8s;
using k8s.Models;
using Navarch.Controllers.Deployment;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Tests.Support;
using static Navarch.Controllers.Tests.Deployment.DeploymentTestKit;

namespace Navarch.Controllers.Tests.Deployment;

/// <summary>Deployments through real ReplicaSets and pods: the deployment and ReplicaSet controllers with a fake kubelet.</summary>
public sealed class DeploymentEndToEndTests(DeploymentEndToEndFixture fixture) : IClassFixture<DeploymentEndToEndFixture>
{
    private IKubernetes Admin => fixture.Cluster.Admin;

    /// <summary>
    /// Runs every pod of <paramref name="ns"/> (Ready at once) until <paramref name="done"/> holds, as kubelets would;
    /// <paramref name="check"/> runs on each round.
    /// </summary>
    private async Task<V1Deployment> RunPodsUntilAsync(string ns, V1Deployment d, Func<V1Deployment, bool> done, Func<Task>? check = null)
    {
        var kubelet = new FakeKubelet(Admin);
        var deadline = DateTime.UtcNow + RolloutTimeout;
        while (true)
        {
            var pods = (await Admin.CoreV1.ListNamespacedPodAsync(ns)).Items;
            var live = pods.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
            if (check is not null) await check();
            foreach (var pod in live.Where(p => !PodConditions.IsReady(p)))
            {
                try
                {
                    await kubelet.RunAsync(pod);
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    // Deleted by its ReplicaSet meanwhile.
                }
            }

            await kubelet.FinishTerminatingAsync(ns);
            var current = await GetAsync(Admin, d);
            if (done(current)) return current;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"deployment {d.Metadata.Name} did not get there: {KubernetesJson.Serialize(current.Status)}");
            await Task.Delay(50);
        }
    }

    private static bool RolledOut(V1Deployment d) =>
        IsComplete(d) && d.Status.Conditions?.Any(c => c.Type == "Progressing" && c.Reason == "NewReplicaSetAvailable") == true;

    private async Task<List<V1Pod>> LivePodsAsync(string ns) =>
        (await Admin.CoreV1.ListNamespacedPodAsync(ns)).Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();

    [Fact]
    public async Task Create_RunsPodsLabelledWithTheTemplateHash_AndCompletes()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-e2e");
        var d = await Admin.AppsV1.CreateNamespacedDeploymentAsync(NewDeployment("web", 3), ns);

        d = await RunPodsUntilAsync(ns, d, RolledOut);

        var rs = Assert.Single(await ReplicaSetsAsync(Admin, d));
        var hash = PodTemplateHash.Compute(d.Spec.Template, null);
        Assert.Equal($"web-{hash}", rs.Metadata.Name);
        var pods = await LivePodsAsync(ns);
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal(hash, p.Metadata.Labels[PodTemplateHash.LabelKey]));
        Assert.All(pods, p => Assert.True(OwnerReferences.IsControlledBy(p.Metadata, rs.Metadata.Uid)));
        Assert.Equal((3, 3, 3, 3), (d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas));
    }

    [Fact]
    public async Task SetImage_ReplacesPodsWithinSurgeAndUnavailability_ThenRollbackReusesFirstReplicaSet()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-e2e-roll");
        var d = await Admin.AppsV1.CreateNamespacedDeploymentAsync(NewDeployment("web", 4, maxSurge: "1", maxUnavailable: "1"), ns);
        d = await RunPodsUntilAsync(ns, d, RolledOut);
        var first = Assert.Single(await ReplicaSetsAsync(Admin, d));

        // kubectl set image.
        d = await Admin.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}""", V1Patch.PatchType.StrategicMergePatch),
            d.Metadata.Name, ns);
        // maxSurge bounds the ReplicaSets' sizes (pods being deleted may briefly add to them, as in Kubernetes).
        var maxReplicas = 0;
        var seen = new List<string>();
        d = await RunPodsUntilAsync(ns, d, x => RolledOut(x) && Revision(x) == "2", async () =>
        {
            var sets = await ReplicaSetsAsync(Admin, d);
            seen.Add(string.Join(" ", sets.Select(rs => $"{rs.Metadata.Name}:{rs.Spec.Replicas}@{rs.Metadata.ResourceVersion}")));
            maxReplicas = Math.Max(maxReplicas, sets.Sum(rs => rs.Spec.Replicas ?? 0));
        });

        Assert.True(maxReplicas <= 5, $"at most replicas + maxSurge, saw {maxReplicas}: {string.Join(" | ", seen)}");
        var second = (await ReplicaSetsAsync(Admin, d)).Single(rs => rs.Metadata.Uid != first.Metadata.Uid);
        await Eventually.TrueAsync(async () => (await LivePodsAsync(ns)).All(p => p.Metadata.Labels[PodTemplateHash.LabelKey] == second.Metadata.Labels[PodTemplateHash.LabelKey]),
            "only new pods left", RolloutTimeout);

        // kubectl rollout undo: the first ReplicaSet's template comes back and that ReplicaSet becomes revision 3.
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(first.Spec.Template));
        template.Metadata.Labels.Remove(PodTemplateHash.LabelKey);
        d = await Admin.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(KubernetesJson.Serialize(new object[] { new { op = "replace", path = "/spec/template", value = template } }), V1Patch.PatchType.JsonPatch),
            d.Metadata.Name, ns);
        d = await RunPodsUntilAsync(ns, d, x => RolledOut(x) && Revision(x) == "3");

        var sets = await ReplicaSetsAsync(Admin, d);
        Assert.Equal(2, sets.Count);
        var reused = sets.Single(rs => rs.Metadata.Uid == first.Metadata.Uid);
        Assert.Equal(("3", 4), (Revision(reused), reused.Spec.Replicas));
        await Eventually.TrueAsync(async () => (await LivePodsAsync(ns)).All(p => p.Metadata.Labels[PodTemplateHash.LabelKey] == first.Metadata.Labels[PodTemplateHash.LabelKey]),
            "only pods of the first template left", RolloutTimeout);
    }

    [Fact]
    public async Task RolloutRestart_MakesNewReplicaSet_AndScaleAppliesToIt()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-e2e-restart");
        var d = await Admin.AppsV1.CreateNamespacedDeploymentAsync(NewDeployment("web", 2), ns);
        d = await RunPodsUntilAsync(ns, d, RolledOut);

        // kubectl rollout restart, then kubectl scale --replicas=3.
        await Admin.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2025-01-01T00:00:00Z"}}}}}""", V1Patch.PatchType.StrategicMergePatch),
            d.Metadata.Name, ns);
        d = await RunPodsUntilAsync(ns, d, x => RolledOut(x) && Revision(x) == "2");
        await Admin.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), d.Metadata.Name, ns);
        d = await RunPodsUntilAsync(ns, d, x => RolledOut(x) && x.Spec.Replicas == 3);

        var newest = (await ReplicaSetsAsync(Admin, d)).Single(rs => Revision(rs) == "2");
        Assert.Equal(3, newest.Spec.Replicas);
        Assert.Equal("2025-01-01T00:00:00Z", newest.Spec.Template.Metadata.Annotations["kubectl.kubernetes.io/restartedAt"]);
    }
}
