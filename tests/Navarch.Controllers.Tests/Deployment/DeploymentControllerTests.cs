using k8s;
using k8s.Models;
using Navarch.Controllers.Deployment;
using Navarch.Controllers.Tests.Support;
using static Navarch.Controllers.Tests.Deployment.DeploymentTestKit;

namespace Navarch.Controllers.Tests.Deployment;

/// <summary>The deployment controller alone: the tests read the ReplicaSets it writes and write their status themselves.</summary>
public sealed class DeploymentControllerTests(DeploymentFixture fixture) : IClassFixture<DeploymentFixture>
{
    private IKubernetes Admin => fixture.Cluster.Admin;

    private async Task<V1Deployment> CreateAsync(string ns, V1Deployment d) =>
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(d, ns);

    private Task<List<V1ReplicaSet>> WaitForSetsAsync(V1Deployment d, Func<List<V1ReplicaSet>, bool> condition, string what) =>
        Eventually.ValueAsync(() => ReplicaSetsAsync(Admin, d), condition, what, RolloutTimeout);

    private Task<V1Deployment> WaitForDeploymentAsync(V1Deployment d, Func<V1Deployment, bool> condition, string what) =>
        Eventually.ValueAsync(() => GetAsync(Admin, d), condition, what, RolloutTimeout);

    private Task<V1Deployment> PatchAsync(V1Deployment d, object patch) =>
        Admin.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), d.Metadata.Name, d.Metadata.NamespaceProperty);

    private Task<V1Deployment> SetImageAsync(V1Deployment d, string image) =>
        PatchAsync(d, new { spec = new { template = new { spec = new { containers = new[] { new { name = "web", image } } } } } });

    [Fact]
    public async Task Create_MakesReplicaSetNamedByTemplateHash_WithRevision1()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-create");
        var d = await CreateAsync(ns, NewDeployment("web", 3));

        var rs = Assert.Single(await WaitForSetsAsync(d, sets => sets.Count == 1, "a ReplicaSet"));

        var hash = PodTemplateHash.Compute(d.Spec.Template, null);
        Assert.Equal($"web-{hash}", rs.Metadata.Name);
        Assert.Equal(3, rs.Spec.Replicas);
        Assert.Equal(hash, rs.Spec.Selector.MatchLabels[PodTemplateHash.LabelKey]);
        Assert.Equal("web", rs.Spec.Selector.MatchLabels["app"]);
        Assert.Equal(hash, rs.Spec.Template.Metadata.Labels[PodTemplateHash.LabelKey]);
        Assert.Equal(hash, rs.Metadata.Labels[PodTemplateHash.LabelKey]);
        Assert.Equal("1", Revision(rs));
        Assert.Equal("3", rs.Metadata.Annotations[DeploymentAnnotations.DesiredReplicas]);
        Assert.Equal("4", rs.Metadata.Annotations[DeploymentAnnotations.MaxReplicasKey]);
        var owner = Assert.Single(rs.Metadata.OwnerReferences);
        Assert.Equal(("Deployment", d.Metadata.Uid, true), (owner.Kind, owner.Uid, owner.Controller == true));

        var current = await WaitForDeploymentAsync(d, x => Revision(x) == "1" && x.Status?.ObservedGeneration == x.Metadata.Generation, "revision 1 on the deployment");
        var progressing = Condition(current, "Progressing");
        Assert.NotNull(progressing);
        Assert.Equal(("True", "NewReplicaSetCreated", $"Created new replica set \"{rs.Metadata.Name}\""), (progressing.Status, progressing.Reason, progressing.Message));
        Assert.Equal("MinimumReplicasUnavailable", Condition(current, "Available")?.Reason);
        await EventAsync(Admin, ns, "web", "ScalingReplicaSet", $"Scaled up replica set {rs.Metadata.Name} from 0 to 3");

        // Pods become available: the rollout completes as kubectl rollout status judges it.
        await SetStatusAsync(Admin, rs, 3, 3);
        current = await WaitForDeploymentAsync(d, x => Condition(x, "Progressing")?.Reason == "NewReplicaSetAvailable", "rollout complete");
        Assert.True(IsComplete(current));
        Assert.Equal((3, 3, 3, 3, 0), (current.Status.Replicas, current.Status.UpdatedReplicas, current.Status.ReadyReplicas, current.Status.AvailableReplicas, current.Status.UnavailableReplicas ?? 0));
        Assert.Equal($"ReplicaSet \"{rs.Metadata.Name}\" has successfully progressed.", Condition(current, "Progressing")!.Message);
        Assert.Equal(("True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
            (Condition(current, "Available")!.Status, Condition(current, "Available")!.Reason, Condition(current, "Available")!.Message));
    }

    [Fact]
    public async Task TemplateChange_RollsOutWithinMaxSurgeAndMaxUnavailable()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-roll");
        var d = await CreateAsync(ns, NewDeployment("web", 4, maxSurge: "1", maxUnavailable: "1"));
        d = await DriveRolloutAsync(Admin, d);
        var first = Assert.Single(await ReplicaSetsAsync(Admin, d));

        d = await SetImageAsync(d, "nginx:2");
        var maxTotal = 0;
        var minAvailable = int.MaxValue;
        var seen = new List<string>();
        var done = await DriveRolloutAsync(Admin, d, sets =>
        {
            seen.Add(string.Join(" ", sets.Select(rs => $"{rs.Metadata.Name}:{rs.Spec.Replicas}/{rs.Status?.AvailableReplicas}@{rs.Metadata.ResourceVersion}")));
            maxTotal = Math.Max(maxTotal, sets.Sum(rs => rs.Spec.Replicas ?? 0));
            // Pods still there and available: the smaller of wanted and available per ReplicaSet.
            minAvailable = Math.Min(minAvailable, sets.Sum(rs => Math.Min(rs.Spec.Replicas ?? 0, rs.Status?.AvailableReplicas ?? 0)));
        });

        // The states seen (with resourceVersions) and the scaling events tell what happened when this fails.
        var events = (await Admin.CoreV1.ListNamespacedEventAsync(ns)).Items.Select(e => e.Message + "@" + e.Metadata.ResourceVersion);
        Assert.True(maxTotal <= 5, $"at most replicas + maxSurge pods, saw {maxTotal}: {string.Join(" | ", seen)}; events: {string.Join(" | ", events)}");
        Assert.True(minAvailable >= 3, $"at least replicas - maxUnavailable available, saw {minAvailable}");
        var sets = await ReplicaSetsAsync(Admin, d);
        Assert.Equal(2, sets.Count);
        var second = sets.Single(rs => rs.Metadata.Uid != first.Metadata.Uid);
        Assert.Equal(0, sets.Single(rs => rs.Metadata.Uid == first.Metadata.Uid).Spec.Replicas);
        Assert.Equal(4, second.Spec.Replicas);
        Assert.Equal("nginx:2", second.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("2", Revision(second));
        Assert.Equal("1", Revision(sets.Single(rs => rs.Metadata.Uid == first.Metadata.Uid)));
        var complete = await WaitForDeploymentAsync(d, x => Condition(x, "Progressing")?.Reason == "NewReplicaSetAvailable" && Revision(x) == "2", "rollout 2 complete");
        Assert.Equal($"ReplicaSet \"{second.Metadata.Name}\" has successfully progressed.", Condition(complete, "Progressing")!.Message);
        Assert.Equal(4, complete.Status.UpdatedReplicas);
        await EventAsync(Admin, ns, "web", "ScalingReplicaSet", $"Scaled down replica set {first.Metadata.Name} from 4 to 3");
        await EventAsync(Admin, ns, "web", "ScalingReplicaSet", $"Scaled up replica set {second.Metadata.Name} from 0 to 1");
    }

    [Fact]
    public async Task Rollback_ToRevision1_ReusesFirstReplicaSetAsRevision3()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-undo");
        var d = await CreateAsync(ns, NewDeployment("web", 2));
        await DriveRolloutAsync(Admin, d);
        var first = Assert.Single(await ReplicaSetsAsync(Admin, d));
        d = await SetImageAsync(d, "nginx:2");
        await DriveRolloutAsync(Admin, d);

        // What kubectl rollout undo --to-revision=1 sends: the ReplicaSet's template without pod-template-hash.
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(first.Spec.Template));
        template.Metadata.Labels.Remove(PodTemplateHash.LabelKey);
        d = await Admin.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(KubernetesJson.Serialize(new object[] { new { op = "replace", path = "/spec/template", value = template } }), V1Patch.PatchType.JsonPatch),
            d.Metadata.Name, ns);
        d = await DriveRolloutAsync(Admin, d);

        var sets = await ReplicaSetsAsync(Admin, d);
        Assert.Equal(2, sets.Count);
        var reused = sets.Single(rs => rs.Metadata.Uid == first.Metadata.Uid);
        Assert.Equal("3", Revision(reused));
        Assert.Equal("1", reused.Metadata.Annotations[DeploymentAnnotations.RevisionHistory]);
        Assert.Equal(2, reused.Spec.Replicas);
        Assert.Equal(0, sets.Single(rs => rs.Metadata.Uid != first.Metadata.Uid).Spec.Replicas);
        await WaitForDeploymentAsync(d, x => Revision(x) == "3", "deployment revision 3");
    }

    [Fact]
    public async Task Recreate_ScalesOldToZero_AndWaitsForItsPodsBeforeCreatingNew()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-recreate");
        var spec = NewDeployment("web", 2);
        spec.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" };
        var d = await CreateAsync(ns, spec);
        d = await DriveRolloutAsync(Admin, d);
        var first = Assert.Single(await ReplicaSetsAsync(Admin, d));
        // One pod of the old ReplicaSet, as its controller would have made it.
        var pod = await Admin.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = "old-pod",
                Labels = new Dictionary<string, string>(first.Spec.Template.Metadata.Labels),
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = first.Metadata.Name, Uid = first.Metadata.Uid, Controller = true }],
            },
            Spec = first.Spec.Template.Spec,
        }, ns);

        d = await SetImageAsync(d, "nginx:2");
        var scaledDown = await WaitForSetsAsync(d, sets => sets.Single().Spec.Replicas == 0, "old ReplicaSet scaled to 0");
        // Its status still counts pods: no new ReplicaSet yet.
        await SetStatusAsync(Admin, scaledDown[0], 0, 0);
        await WaitForDeploymentAsync(d, x => x.Status is { } s && s.ObservedGeneration == x.Metadata.Generation && s.Replicas == 0, "status with no replicas");
        Assert.Single(await ReplicaSetsAsync(Admin, d));

        // The pod is gone: the new ReplicaSet starts at full size.
        await Admin.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        var sets = await WaitForSetsAsync(d, sets => sets.Count == 2, "the new ReplicaSet");
        Assert.Equal(2, sets.Single(rs => rs.Metadata.Uid != first.Metadata.Uid).Spec.Replicas);
        await EventAsync(Admin, ns, "web", "ScalingReplicaSet", $"Scaled down replica set {first.Metadata.Name} from 2 to 0");
        await DriveRolloutAsync(Admin, d);
    }

    [Fact]
    public async Task Paused_StopsRollout_ButScalingApplies_UntilResumed()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-pause");
        var d = await CreateAsync(ns, NewDeployment("web", 2));
        d = await DriveRolloutAsync(Admin, d);
        var first = Assert.Single(await ReplicaSetsAsync(Admin, d));

        d = await PatchAsync(d, new { spec = new { paused = true } });
        var paused = await WaitForDeploymentAsync(d, x => Condition(x, "Progressing")?.Reason == "DeploymentPaused", "paused condition");
        Assert.Equal(("Unknown", "Deployment is paused"), (Condition(paused, "Progressing")!.Status, Condition(paused, "Progressing")!.Message));

        d = await SetImageAsync(d, "nginx:2");
        d = await PatchAsync(d, new { spec = new { replicas = 4 } });
        await WaitForSetsAsync(d, sets => sets.Count == 1 && sets[0].Spec.Replicas == 4, "the old ReplicaSet scaled to 4");
        await WaitForDeploymentAsync(d, x => x.Status?.ObservedGeneration == x.Metadata.Generation, "paused spec observed");
        Assert.Single(await ReplicaSetsAsync(Admin, d));

        d = await PatchAsync(d, new { spec = new { paused = false } });
        var sets = await WaitForSetsAsync(d, sets => sets.Count == 2, "rollout resumed");
        Assert.Contains(sets, rs => rs.Metadata.Uid != first.Metadata.Uid && rs.Spec.Template.Spec.Containers[0].Image == "nginx:2");
        await DriveRolloutAsync(Admin, d);
    }

    [Fact]
    public async Task ProgressDeadline_Exceeded_SetsProgressingFalse()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-deadline");
        var spec = NewDeployment("web", 1);
        spec.Spec.ProgressDeadlineSeconds = 1;
        var d = await CreateAsync(ns, spec);
        var rs = Assert.Single(await WaitForSetsAsync(d, sets => sets.Count == 1, "a ReplicaSet"));

        // No pod ever becomes available.
        var timedOut = await WaitForDeploymentAsync(d, x => Condition(x, "Progressing")?.Reason == "ProgressDeadlineExceeded", "deadline exceeded");
        var condition = Condition(timedOut, "Progressing")!;
        Assert.Equal(("False", $"ReplicaSet \"{rs.Metadata.Name}\" has timed out progressing."), (condition.Status, condition.Message));

        // Progress afterwards completes the rollout again.
        await SetStatusAsync(Admin, rs, 1, 1);
        await WaitForDeploymentAsync(d, x => Condition(x, "Progressing")?.Reason == "NewReplicaSetAvailable", "progress after the deadline");
    }

    [Fact]
    public async Task RevisionHistoryLimit_DeletesOldestScaledDownReplicaSets()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-history");
        var spec = NewDeployment("web", 1);
        spec.Spec.RevisionHistoryLimit = 1;
        var d = await CreateAsync(ns, spec);
        d = await DriveRolloutAsync(Admin, d);
        var first = Assert.Single(await ReplicaSetsAsync(Admin, d));
        d = await DriveRolloutAsync(Admin, await SetImageAsync(d, "nginx:2"));
        d = await DriveRolloutAsync(Admin, await SetImageAsync(d, "nginx:3"));

        var sets = await WaitForSetsAsync(d, sets => sets.Count == 2, "one old ReplicaSet kept");
        Assert.DoesNotContain(sets, rs => rs.Metadata.Uid == first.Metadata.Uid);
        Assert.Equal(["2", "3"], sets.Select(Revision).Order());
    }

    [Fact]
    public async Task Scale_MidRollout_SpreadsProportionally()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-scale");
        var d = await CreateAsync(ns, NewDeployment("web", 10, maxSurge: "25%", maxUnavailable: "25%"));
        d = await DriveRolloutAsync(Admin, d);
        d = await SetImageAsync(d, "nginx:2");
        // No new pod becomes available: the rollout stops at 8 old and 5 new.
        var stuck = await WaitForSetsAsync(d, sets => sets.Count == 2 && sets[0].Spec.Replicas == 8 && sets[1].Spec.Replicas == 5, "8 old and 5 new");

        await PatchAsync(d, new { spec = new { replicas = 20 } });
        var scaled = await WaitForSetsAsync(d, sets => sets.Sum(rs => rs.Spec.Replicas ?? 0) == 25, "scaled to 20 + 5 surge");
        Assert.Equal((15, 10), (scaled[0].Spec.Replicas ?? 0, scaled[1].Spec.Replicas ?? 0));
        Assert.All(scaled, rs => Assert.Equal("20", rs.Metadata.Annotations[DeploymentAnnotations.DesiredReplicas]));
        Assert.All(scaled, rs => Assert.Equal("25", rs.Metadata.Annotations[DeploymentAnnotations.MaxReplicasKey]));
        Assert.Equal(stuck[0].Metadata.Uid, scaled[0].Metadata.Uid);
    }

    [Fact]
    public async Task OrphanReplicaSet_MatchingTemplate_IsAdoptedInsteadOfCreatingAnother()
    {
        var ns = await fixture.Cluster.NamespaceAsync("dep-adopt");
        var spec = NewDeployment("web", 2);
        spec.Spec.Paused = true;
        var d = await CreateAsync(ns, spec);
        var hash = PodTemplateHash.Compute(d.Spec.Template, null);
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(d.Spec.Template));
        template.Metadata.Labels[PodTemplateHash.LabelKey] = hash;
        await Admin.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "web-orphan", Labels = new Dictionary<string, string>(template.Metadata.Labels) },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(template.Metadata.Labels) },
                Template = template,
            },
        }, ns);

        d = await PatchAsync(d, new { spec = new { paused = false } });
        var sets = await WaitForSetsAsync(d, sets => sets.Count == 1, "the orphan adopted");
        Assert.Equal("web-orphan", sets[0].Metadata.Name);
        await WaitForDeploymentAsync(d, x => Revision(x) == "1", "revision 1 from the adopted ReplicaSet");
        Assert.Single(await ReplicaSetsAsync(Admin, d));
    }
}
