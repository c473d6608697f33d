using System.Net;
using k8s;
using k8s.Models;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.ServiceAccount;

public sealed class ServiceAccountsControllerTests(ServiceAccountFixture fixture) : IClassFixture<ServiceAccountFixture>
{
    private IKubernetes Admin => fixture.Cluster.Admin;

    [Fact]
    public async Task NewNamespace_GetsDefaultServiceAccount()
    {
        var ns = await fixture.Cluster.NamespaceAsync("sa-new");

        var account = await Eventually.ValueAsync(() => GetOrNullAsync(ns, "default"), a => a is not null, "default service account created");

        Assert.Equal(ns, account!.Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task SystemNamespaces_GetDefaultServiceAccount()
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            await Eventually.TrueAsync(async () => await GetOrNullAsync(ns, "default") is not null, $"default service account in {ns}");
        }
    }

    [Fact]
    public async Task DeletedDefaultServiceAccount_IsRecreated()
    {
        var ns = await fixture.Cluster.NamespaceAsync("sa-del");
        var first = await Eventually.ValueAsync(() => GetOrNullAsync(ns, "default"), a => a is not null, "default service account created");

        await Admin.CoreV1.DeleteNamespacedServiceAccountAsync("default", ns);

        var second = await Eventually.ValueAsync(
            () => GetOrNullAsync(ns, "default"), a => a is not null && a.Metadata.Uid != first!.Metadata.Uid, "default service account recreated");
        Assert.NotEqual(first!.Metadata.Uid, second!.Metadata.Uid);
    }

    [Fact]
    public async Task OtherDeletedServiceAccount_IsNotRecreated()
    {
        var ns = await fixture.Cluster.NamespaceAsync("sa-other");
        await Eventually.TrueAsync(async () => await GetOrNullAsync(ns, "default") is not null, "default service account created");
        await Admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "builder" } }, ns);

        await Admin.CoreV1.DeleteNamespacedServiceAccountAsync("builder", ns);
        await Admin.CoreV1.DeleteNamespacedServiceAccountAsync("default", ns);

        // Once default is back, the controller has synced the namespace after both deletes.
        await Eventually.TrueAsync(async () => await GetOrNullAsync(ns, "default") is not null, "default service account recreated");
        Assert.Null(await GetOrNullAsync(ns, "builder"));
    }

    [Fact]
    public async Task TerminatingNamespace_DoesNotGetDefaultServiceAccountBack()
    {
        var ns = await fixture.Cluster.NamespaceAsync("sa-term");
        var marker = await fixture.Cluster.NamespaceAsync("sa-mark");
        await Eventually.TrueAsync(async () => await GetOrNullAsync(ns, "default") is not null, "default service account created");
        var markerAccount = await Eventually.ValueAsync(() => GetOrNullAsync(marker, "default"), a => a is not null, "marker account created");

        // No namespace controller runs, so the namespace stays Terminating with its content left to delete by hand.
        await Admin.CoreV1.DeleteNamespaceAsync(ns);
        await Eventually.TrueAsync(async () => (await Admin.CoreV1.ReadNamespaceAsync(ns)).Status?.Phase == "Terminating", "namespace terminating");

        // Both deletes reach the controller on one watch, in order, and one worker syncs them in order: once the
        // marker's account is back, the terminating namespace has been synced too.
        await Admin.CoreV1.DeleteNamespacedServiceAccountAsync("default", ns);
        await Admin.CoreV1.DeleteNamespacedServiceAccountAsync("default", marker);
        await Eventually.TrueAsync(
            async () => await GetOrNullAsync(marker, "default") is { } a && a.Metadata.Uid != markerAccount!.Metadata.Uid, "marker account recreated");
        Assert.Null(await GetOrNullAsync(ns, "default"));
    }

    private async Task<V1ServiceAccount?> GetOrNullAsync(string ns, string name)
    {
        try
        {
            return await Admin.CoreV1.ReadNamespacedServiceAccountAsync(name, ns);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
