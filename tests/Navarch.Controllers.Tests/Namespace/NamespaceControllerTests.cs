using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.Namespace;

public sealed class NamespaceControllerTests(NamespaceControllerFixture fixture) : IClassFixture<NamespaceControllerFixture>
{
    private const string HoldFinalizer = "test.navarch.io/hold";

    private IKubernetes Admin => fixture.Cluster.Admin;

    [Fact]
    public async Task DeletingNamespace_RemovesItsContentThenTheNamespace()
    {
        var ns = await fixture.Cluster.NamespaceAsync("ns-del");
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, ns);
        await Admin.CoreV1.CreateNamespacedPodAsync(Pod("pod"), ns);
        await Admin.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "svc" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }], Selector = new Dictionary<string, string> { ["app"] = "web" } },
        }, ns);
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = Pod("x").Spec,
                },
            },
        }, ns);

        await Admin.CoreV1.DeleteNamespaceAsync(ns);

        await Eventually.TrueAsync(async () => await NamespaceOrNullAsync(ns) is null, "namespace removed", TimeSpan.FromSeconds(20));
        Assert.Empty((await Admin.CoreV1.ListNamespacedConfigMapAsync(ns)).Items);
        Assert.Empty((await Admin.CoreV1.ListNamespacedPodAsync(ns)).Items);
        Assert.Empty((await Admin.CoreV1.ListNamespacedServiceAsync(ns)).Items);
        Assert.Empty((await Admin.AppsV1.ListNamespacedDeploymentAsync(ns)).Items);
    }

    [Fact]
    public async Task ContentWithFinalizer_IsReportedInConditionsAndHoldsTheNamespace()
    {
        var ns = await fixture.Cluster.NamespaceAsync("ns-hold");
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "held", Finalizers = [HoldFinalizer] },
        }, ns);

        await Admin.CoreV1.DeleteNamespaceAsync(ns);

        var terminating = await Eventually.ValueAsync(() => NamespaceOrNullAsync(ns),
            n => Condition(n, "NamespaceContentRemaining")?.Status == "True" && Condition(n, "NamespaceFinalizersRemaining")?.Status == "True",
            "remaining-content conditions");
        Assert.NotNull(terminating);
        Assert.Equal("Terminating", terminating.Status.Phase);
        var remaining = Condition(terminating, "NamespaceContentRemaining")!;
        Assert.Equal("SomeResourcesRemain", remaining.Reason);
        Assert.Equal("Some resources are remaining: configmaps. has 1 resource instances", remaining.Message);
        var finalizers = Condition(terminating, "NamespaceFinalizersRemaining")!;
        Assert.Equal("SomeFinalizersRemain", finalizers.Reason);
        Assert.Equal($"Some content in the namespace has finalizers remaining: {HoldFinalizer} in 1 resource instances", finalizers.Message);
        var discovery = Condition(terminating, "NamespaceDeletionDiscoveryFailure")!;
        Assert.Equal(("False", "ResourcesDiscovered"), (discovery.Status, discovery.Reason));
        Assert.Equal("ContentDeleted", Condition(terminating, "NamespaceDeletionContentFailure")?.Reason);
        Assert.Contains(NamespaceControllerFinalizer, terminating.Spec.Finalizers);

        await Admin.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch(JsonSerializer.Serialize(new { metadata = new { finalizers = (string[]?)null } }), V1Patch.PatchType.MergePatch), "held", ns);

        await Eventually.TrueAsync(async () => await NamespaceOrNullAsync(ns) is null, "namespace removed once the finalizer is gone");
    }

    private const string NamespaceControllerFinalizer = "kubernetes";

    private static V1NamespaceCondition? Condition(V1Namespace? ns, string type) =>
        ns?.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
    };

    private async Task<V1Namespace?> NamespaceOrNullAsync(string name)
    {
        try
        {
            return await Admin.CoreV1.ReadNamespaceAsync(name);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
