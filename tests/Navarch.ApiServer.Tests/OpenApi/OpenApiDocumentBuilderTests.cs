using System.Text.Json.Nodes;
using Navarch.ApiServer.OpenApi;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Tests.OpenApi;

public sealed class OpenApiDocumentBuilderTests
{
    // Building reads the 25 MB XML docs and reflects over the models: do it once for the class.
    private static readonly Lazy<(JsonObject V2, SortedDictionary<string, JsonObject> V3)> Documents = new(() =>
    {
        var builder = new OpenApiDocumentBuilder(ResourceRegistry.CreateDefault(), ModelDescriptions.LoadDefault());
        return (builder.BuildV2(), builder.BuildV3());
    });

    private static JsonObject V2Definition(string name) => Documents.Value.V2["definitions"]![name]!.AsObject();

    [Fact]
    public void V2_PodDefinition_HasKubernetesNameGvkAndDescription()
    {
        var pod = V2Definition("io.k8s.api.core.v1.Pod");

        var gvk = Assert.Single(pod["x-kubernetes-group-version-kind"]!.AsArray())!;
        Assert.Equal("", (string?)gvk["group"]);
        Assert.Equal("v1", (string?)gvk["version"]);
        Assert.Equal("Pod", (string?)gvk["kind"]);
        Assert.StartsWith("Pod is a collection of containers", (string?)pod["description"], StringComparison.Ordinal);
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", (string?)pod["properties"]!["metadata"]!["$ref"]);
    }

    [Fact]
    public void V2_PodSpecContainers_IsDescribedArrayOfContainer()
    {
        var containers = V2Definition("io.k8s.api.core.v1.PodSpec")["properties"]!["containers"]!;

        Assert.Equal("array", (string?)containers["type"]);
        Assert.Equal("#/definitions/io.k8s.api.core.v1.Container", (string?)containers["items"]!["$ref"]);
        Assert.StartsWith("List of containers belonging to the pod.", (string?)containers["description"], StringComparison.Ordinal);
    }

    [Fact]
    public void V2_PodSpecContainers_CarriesPatchMergeKeyName()
    {
        var containers = V2Definition("io.k8s.api.core.v1.PodSpec")["properties"]!["containers"]!;

        Assert.Equal("name", (string?)containers["x-kubernetes-patch-merge-key"]);
        Assert.Equal("merge", (string?)containers["x-kubernetes-patch-strategy"]);
    }

    [Fact]
    public void V3_ContainerPorts_CarriesPatchMergeKey()
    {
        var ports = Documents.Value.V3["api/v1"]["components"]!["schemas"]!["io.k8s.api.core.v1.Container"]!["properties"]!["ports"]!;

        Assert.Equal("containerPort", (string?)ports["x-kubernetes-patch-merge-key"]);
        Assert.Equal("array", (string?)ports["type"]);
    }

    [Fact]
    public void V2_SharedAndScalarTypes_AreNamedAsKubernetesNamesThem()
    {
        var definitions = Documents.Value.V2["definitions"]!.AsObject();

        Assert.Equal("int-or-string", (string?)definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["format"]);
        Assert.Equal("string", (string?)definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"]!["type"]);
        Assert.Equal("date-time", (string?)definitions["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]!["format"]);
        Assert.True(definitions.ContainsKey("io.k8s.api.core.v1.PodTemplateSpec"));
        Assert.True(definitions.ContainsKey("io.k8s.api.apps.v1.DeploymentSpec"));
        Assert.True(definitions.ContainsKey("io.k8s.api.autoscaling.v1.Scale"));
        Assert.True(definitions.ContainsKey("io.k8s.api.policy.v1.Eviction"));
        Assert.True(definitions.ContainsKey("io.k8s.api.events.v1.Event"));
        Assert.True(definitions.ContainsKey("io.k8s.api.core.v1.Event"));
        Assert.DoesNotContain(definitions, d => d.Key.Contains("V1", StringComparison.Ordinal));
    }

    [Fact]
    public void V2_ContainerPort_RequiresItsValueTypedField()
    {
        var required = V2Definition("io.k8s.api.core.v1.ContainerPort")["required"]!.AsArray().Select(n => (string?)n);

        Assert.Contains("containerPort", required);
    }

    [Fact]
    public void V2_PatchOperation_CarriesFieldValidationAndGvk()
    {
        var patch = Documents.Value.V2["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;

        Assert.Equal("patch", (string?)patch["x-kubernetes-action"]);
        Assert.Equal("Deployment", (string?)patch["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.Equal("patchAppsV1NamespacedDeployment", (string?)patch["operationId"]);
        var names = patch["parameters"]!.AsArray().Select(p => (string?)p!["name"]).ToArray();
        Assert.Contains("fieldValidation", names);
        Assert.Contains("dryRun", names);
        Assert.Contains("fieldManager", names);
    }

    [Fact]
    public void V2_ScaleSubresource_IsAutoscalingScale()
    {
        var get = Documents.Value.V2["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]!["get"]!;

        Assert.Equal("autoscaling", (string?)get["x-kubernetes-group-version-kind"]!["group"]);
        Assert.Equal("#/definitions/io.k8s.api.autoscaling.v1.Scale", (string?)get["responses"]!["200"]!["schema"]!["$ref"]);
    }

    [Fact]
    public void V3_HasOneDocumentPerGroupVersion()
    {
        Assert.Contains("api/v1", Documents.Value.V3.Keys);
        Assert.Contains("apis/apps/v1", Documents.Value.V3.Keys);
        Assert.Contains("apis/coordination.k8s.io/v1", Documents.Value.V3.Keys);
    }

    [Fact]
    public void V3_AppsDocument_HoldsOnlyReachableSchemasWithV3Refs()
    {
        var apps = Documents.Value.V3["apis/apps/v1"];
        var schemas = apps["components"]!["schemas"]!.AsObject();

        Assert.True(schemas.ContainsKey("io.k8s.api.apps.v1.Deployment"));
        Assert.True(schemas.ContainsKey("io.k8s.api.core.v1.PodSpec"));
        Assert.False(schemas.ContainsKey("io.k8s.api.core.v1.Node"));
        var template = schemas["io.k8s.api.apps.v1.DeploymentSpec"]!["properties"]!["template"]!;
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec", (string?)template["allOf"]![0]!["$ref"]);
        Assert.DoesNotContain(apps["paths"]!.AsObject(), p => p.Key.StartsWith("/api/v1", StringComparison.Ordinal));
    }

    [Fact]
    public void V3_PodPatch_HasInlineFieldValidationParameter()
    {
        var patch = Documents.Value.V3["api/v1"]["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}"]!["patch"]!;

        Assert.Equal("Pod", (string?)patch["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.Contains(patch["parameters"]!.AsArray(), p => (string?)p!["name"] == "fieldValidation" && (string?)p["in"] == "query");
    }
}
