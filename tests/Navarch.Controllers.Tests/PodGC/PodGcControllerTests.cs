using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.PodGC;

public sealed class PodGcControllerTests(PodGcFixture fixture) : IClassFixture<PodGcFixture>
{
    private IKubernetes Admin => fixture.Cluster.Admin;

    [Fact]
    public async Task TerminatedPodsBeyondThreshold_OldestAreDeleted()
    {
        var ns = await fixture.Cluster.NamespaceAsync("podgc-term");
        var kubelet = new FakeKubelet(Admin);

        // Names sort opposite to age, so only ordering by creationTimestamp picks the "z" pods.
        var old = new[] { await CreatePodAsync(ns, "z-1"), await CreatePodAsync(ns, "z-2") };
        var created = old[1].Metadata.CreationTimestamp;
        await Eventually.TrueAsync(() => Task.FromResult(DateTime.UtcNow > created!.Value.AddSeconds(1.1)), "next creationTimestamp second");
        var young = new[] { await CreatePodAsync(ns, "a-1"), await CreatePodAsync(ns, "a-2") };
        foreach (var pod in old.Concat(young))
        {
            await kubelet.FinishAsync(pod, succeeded: pod.Metadata.Name.EndsWith('1'));
        }

        var left = await Eventually.ValueAsync(async () => (await Admin.CoreV1.ListNamespacedPodAsync(ns)).Items,
            pods => pods.Count == PodGcFixture.Threshold, "terminated pods trimmed to the threshold");
        Assert.Equal(["a-1", "a-2"], left.Select(p => p.Metadata.Name).Order());
    }

    [Fact]
    public async Task PodsOnDeletedNode_AreMarkedFailedWithDisruptionTargetAndDeleted()
    {
        var ns = await fixture.Cluster.NamespaceAsync("podgc-orphan");
        var node = "podgc-node-" + Guid.NewGuid().ToString("N")[..8];
        await Admin.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = node } });
        var plain = await CreatePodAsync(ns, "plain", node);

        // The finalizer keeps this one readable after PodGC's delete, to see what PodGC wrote before it.
        var held = await CreatePodAsync(ns, "held", node, finalizer: "test.navarch.io/hold");
        var kubelet = new FakeKubelet(Admin);
        await kubelet.RunAsync(plain);
        await kubelet.RunAsync(held);

        await Admin.CoreV1.DeleteNodeAsync(node);

        await Eventually.TrueAsync(async () => await PodOrNullAsync(ns, "plain") is null, "pod on the deleted node removed");
        var marked = await Eventually.ValueAsync(() => PodOrNullAsync(ns, "held"), p => p?.Metadata.DeletionTimestamp is not null, "held pod deleted");
        Assert.NotNull(marked);
        Assert.Equal("Failed", marked.Status.Phase);
        var condition = Assert.Single(marked.Status.Conditions, c => c.Type == "DisruptionTarget");
        Assert.Equal(("True", "DeletionByPodGC", "PodGC: node no longer exists"), (condition.Status, condition.Reason, condition.Message));

        await Admin.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(JsonSerializer.Serialize(new { metadata = new { finalizers = (string[]?)null } }), V1Patch.PatchType.MergePatch), "held", ns);
        await Eventually.TrueAsync(async () => await PodOrNullAsync(ns, "held") is null, "held pod removed once released");
    }

    [Fact]
    public async Task PodsOnExistingNode_AreKept()
    {
        var ns = await fixture.Cluster.NamespaceAsync("podgc-keep");
        var node = "podgc-live-" + Guid.NewGuid().ToString("N")[..8];
        await Admin.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = node } });
        var pod = await CreatePodAsync(ns, "kept", node);
        await new FakeKubelet(Admin).RunAsync(pod);

        // Several periods and more than the quarantine pass; the pod must still be there.
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < deadline)
        {
            Assert.NotNull(await PodOrNullAsync(ns, "kept"));
            await Task.Delay(200);
        }
    }

    private Task<V1Pod> CreatePodAsync(string ns, string name, string? node = null, string? finalizer = null) =>
        Admin.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Finalizers = finalizer is null ? null : [finalizer] },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        }, ns);

    private async Task<V1Pod?> PodOrNullAsync(string ns, string name)
    {
        try
        {
            return await Admin.CoreV1.ReadNamespacedPodAsync(name, ns);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
