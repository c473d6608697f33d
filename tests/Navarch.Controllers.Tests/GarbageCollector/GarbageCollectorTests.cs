using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.GarbageCollector;

public sealed class GarbageCollectorTests(GarbageCollectorFixture fixture) : IClassFixture<GarbageCollectorFixture>
{
    private const string HoldFinalizer = "test.navarch.io/hold";

    private IKubernetes Admin => fixture.Cluster.Admin;

    [Fact]
    public async Task DeletingOwner_DeletesDependentsInBackground()
    {
        var ns = await fixture.Cluster.NamespaceAsync("gc-bg");
        var owner = await CreateConfigMapAsync(ns, "owner");
        await CreateConfigMapAsync(ns, "dep-cm", OwnedBy(owner));
        await Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "dep-secret", OwnerReferences = [OwnedBy(owner)] },
        }, ns);

        await Admin.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns);

        await Eventually.TrueAsync(async () => await ConfigMapAsync(ns, "dep-cm") is null, "dependent configmap deleted");
        await Eventually.TrueAsync(async () => (await Admin.CoreV1.ListNamespacedSecretAsync(ns)).Items.Count == 0, "dependent secret deleted");
    }

    [Fact]
    public async Task DependentOfOwnerThatNeverExisted_IsDeleted()
    {
        var ns = await fixture.Cluster.NamespaceAsync("gc-dangling");
        await CreateConfigMapAsync(ns, "orphan-born", new V1OwnerReference
        {
            ApiVersion = "v1", Kind = "ConfigMap", Name = "ghost", Uid = Guid.NewGuid().ToString(),
        });

        await Eventually.TrueAsync(async () => await ConfigMapAsync(ns, "orphan-born") is null, "dependent of a missing owner deleted");
    }

    [Fact]
    public async Task ForegroundDeletion_KeepsOwnerUntilBlockingDependentsAreGone()
    {
        var ns = await fixture.Cluster.NamespaceAsync("gc-fg");
        var owner = await CreateConfigMapAsync(ns, "owner");
        var blocking = OwnedBy(owner);
        blocking.BlockOwnerDeletion = true;
        await CreateConfigMapAsync(ns, "dep", blocking, finalizer: HoldFinalizer);

        await Admin.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, new V1DeleteOptions { PropagationPolicy = "Foreground" });

        // The collector deletes the dependent; its finalizer holds it, and it holds the owner.
        var dependent = await Eventually.ValueAsync(() => ConfigMapAsync(ns, "dep"), d => d?.Metadata.DeletionTimestamp is not null,
            "dependent marked for deletion");
        var waiting = await ConfigMapAsync(ns, "owner");
        Assert.NotNull(waiting);
        Assert.NotNull(waiting.Metadata.DeletionTimestamp);
        Assert.Contains("foregroundDeletion", waiting.Metadata.Finalizers);

        await RemoveFinalizersAsync(ns, "dep");

        await Eventually.TrueAsync(async () => await ConfigMapAsync(ns, "owner") is null, "owner removed after its dependent");
        Assert.NotNull(dependent);
    }

    [Fact]
    public async Task OrphanDeletion_RemovesOwnerReferenceAndKeepsDependent()
    {
        var ns = await fixture.Cluster.NamespaceAsync("gc-orphan");
        var owner = await CreateConfigMapAsync(ns, "owner");
        await CreateConfigMapAsync(ns, "dep", OwnedBy(owner));

        await Admin.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, new V1DeleteOptions { PropagationPolicy = "Orphan" });

        await Eventually.TrueAsync(async () => await ConfigMapAsync(ns, "owner") is null, "owner removed once orphaning is done");
        var dependent = await ConfigMapAsync(ns, "dep");
        Assert.NotNull(dependent);
        Assert.Null(dependent.Metadata.DeletionTimestamp);
        Assert.True(dependent.Metadata.OwnerReferences is null or { Count: 0 });
    }

    [Fact]
    public async Task DependentWithAnotherLiveOwner_LosesOnlyTheDanglingReference()
    {
        var ns = await fixture.Cluster.NamespaceAsync("gc-two");
        var first = await CreateConfigMapAsync(ns, "first");
        var second = await CreateConfigMapAsync(ns, "second");
        await CreateConfigMapAsync(ns, "dep", OwnedBy(first), OwnedBy(second));

        await Admin.CoreV1.DeleteNamespacedConfigMapAsync("first", ns);

        var dependent = await Eventually.ValueAsync(() => ConfigMapAsync(ns, "dep"), d => d?.Metadata.OwnerReferences?.Count == 1,
            "dangling reference removed");
        Assert.NotNull(dependent);
        Assert.Equal(second.Metadata.Uid, Assert.Single(dependent.Metadata.OwnerReferences).Uid);
        Assert.Null(dependent.Metadata.DeletionTimestamp);
    }

    private static V1OwnerReference OwnedBy(V1ConfigMap owner) => new()
    {
        ApiVersion = "v1", Kind = "ConfigMap", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid,
    };

    private Task<V1ConfigMap> CreateConfigMapAsync(string ns, string name, params V1OwnerReference[] owners) =>
        CreateWithAsync(ns, name, owners.Length == 0 ? null : owners[0], owners.Length > 1 ? owners[1] : null, null);

    private Task<V1ConfigMap> CreateConfigMapAsync(string ns, string name, V1OwnerReference owner, string finalizer) =>
        CreateWithAsync(ns, name, owner, null, finalizer);

    private Task<V1ConfigMap> CreateWithAsync(string ns, string name, V1OwnerReference? a, V1OwnerReference? b, string? finalizer)
    {
        var owners = new List<V1OwnerReference>();
        if (a is not null) owners.Add(a);
        if (b is not null) owners.Add(b);
        return Admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                OwnerReferences = owners.Count == 0 ? null : owners,
                Finalizers = finalizer is null ? null : [finalizer],
            },
            Data = new Dictionary<string, string> { ["k"] = "v" },
        }, ns);
    }

    private async Task<V1ConfigMap?> ConfigMapAsync(string ns, string name)
    {
        try
        {
            return await Admin.CoreV1.ReadNamespacedConfigMapAsync(name, ns);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private Task RemoveFinalizersAsync(string ns, string name) =>
        Admin.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch(JsonSerializer.Serialize(new { metadata = new { finalizers = (string[]?)null } }), V1Patch.PatchType.MergePatch), name, ns);
}
