using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;
using Navarch.Controllers.RootCaCertPublisher;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.RootCaCertPublisher;

public sealed class RootCaCertPublisherControllerTests(RootCaCertPublisherFixture fixture) : IClassFixture<RootCaCertPublisherFixture>
{
    private const string Name = "kube-root-ca.crt";

    private IKubernetes Admin => fixture.Cluster.Admin;

    private bool IsPublished(V1ConfigMap? map) =>
        map?.Data is { Count: 1 } data && data.TryGetValue("ca.crt", out var ca) && ca == fixture.RootCa
        && map.Metadata.Annotations is { } annotations
        && annotations.TryGetValue("kubernetes.io/description", out var description) && description == RootCaCertPublisherController.Description;

    [Fact]
    public async Task NamespacesThatExistedAtStart_GetTheConfigMap()
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            await Eventually.TrueAsync(async () => IsPublished(await GetOrNullAsync(ns)), $"kube-root-ca.crt in {ns}");
        }
    }

    [Fact]
    public async Task NewNamespace_GetsTheCaWithUpstreamDescription()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rootca-new");

        var map = await Eventually.ValueAsync(() => GetOrNullAsync(ns), m => m is not null, "kube-root-ca.crt created");

        Assert.Equal(fixture.RootCa, map!.Data["ca.crt"]);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", map.Data["ca.crt"], StringComparison.Ordinal);
        Assert.Equal(
            "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP "
            + "or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
            map.Metadata.Annotations["kubernetes.io/description"]);
    }

    [Fact]
    public async Task EditedData_IsRestored_AndUserLabelsStay()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rootca-edit");
        var map = await Eventually.ValueAsync(() => GetOrNullAsync(ns), m => m is not null, "kube-root-ca.crt created");
        map!.Data = new Dictionary<string, string> { ["ca.crt"] = "tampered", ["extra"] = "x" };
        map.Metadata.Labels = new Dictionary<string, string> { ["team"] = "a" };

        await Admin.CoreV1.ReplaceNamespacedConfigMapAsync(map, Name, ns);

        var restored = await Eventually.ValueAsync(() => GetOrNullAsync(ns), IsPublished, "kube-root-ca.crt restored");
        Assert.Equal("a", restored!.Metadata.Labels["team"]);
        Assert.Equal(map.Metadata.Uid, restored.Metadata.Uid);
    }

    [Fact]
    public async Task RemovedDescription_IsPutBack()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rootca-ann");
        var map = await Eventually.ValueAsync(() => GetOrNullAsync(ns), m => m is not null, "kube-root-ca.crt created");
        map!.Metadata.Annotations = null;

        await Admin.CoreV1.ReplaceNamespacedConfigMapAsync(map, Name, ns);

        await Eventually.TrueAsync(async () => IsPublished(await GetOrNullAsync(ns)), "description restored");
    }

    [Fact]
    public async Task DeletedConfigMap_IsRecreated()
    {
        var ns = await fixture.Cluster.NamespaceAsync("rootca-del");
        var first = await Eventually.ValueAsync(() => GetOrNullAsync(ns), m => m is not null, "kube-root-ca.crt created");

        await Admin.CoreV1.DeleteNamespacedConfigMapAsync(Name, ns);

        var second = await Eventually.ValueAsync(
            () => GetOrNullAsync(ns), m => m is not null && m.Metadata.Uid != first!.Metadata.Uid, "kube-root-ca.crt recreated");
        Assert.True(IsPublished(second));
    }

    [Fact]
    public async Task WithoutAnyCa_TheDescriptorBuildsNothing()
    {
        await using var informers = new SharedInformerFactory(Admin, NullLoggerFactory.Instance, TimeProvider.System);

        var controller = RootCaCertPublisherController.Descriptor.Create(Context(informers, new ControllerManagerOptions()));

        Assert.Null(controller);
    }

    [Fact]
    public async Task UnreadableCaFile_TheDescriptorBuildsNothing()
    {
        await using var informers = new SharedInformerFactory(Admin, NullLoggerFactory.Instance, TimeProvider.System);
        var missing = Path.Combine(Path.GetTempPath(), "navarch-no-such-" + Guid.NewGuid().ToString("N"), "ca.crt");

        var controller = RootCaCertPublisherController.Descriptor.Create(Context(informers, new ControllerManagerOptions { RootCaFile = missing }));

        Assert.Null(controller);
    }

    [Fact]
    public async Task CaData_TheDescriptorBuildsTheController()
    {
        await using var informers = new SharedInformerFactory(Admin, NullLoggerFactory.Instance, TimeProvider.System);

        using var controller = RootCaCertPublisherController.Descriptor.Create(Context(informers, new ControllerManagerOptions { RootCaData = fixture.RootCa }));

        Assert.IsType<RootCaCertPublisherController>(controller);
    }

    [Fact]
    public void RegisteredForTheControllersFlag()
    {
        Assert.Contains(ControllerRegistry.All, d => d.Name == "root-ca-cert-publisher");
    }

    private ControllerContext Context(SharedInformerFactory informers, ControllerManagerOptions options) =>
        new(Admin, informers, _ => throw new InvalidOperationException("no events expected"), options, NullLoggerFactory.Instance, TimeProvider.System);

    private async Task<V1ConfigMap?> GetOrNullAsync(string ns)
    {
        try
        {
            return await Admin.CoreV1.ReadNamespacedConfigMapAsync(Name, ns);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
