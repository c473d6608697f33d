using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Navarch.ApiServer.Discovery;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Tests.Discovery;

public sealed class DiscoveryDocumentsTests
{
    private readonly DiscoveryDocuments _documents = new(ResourceRegistry.CreateDefault());

    private static JsonElement Resource(CachedDocument document, string name) =>
        JsonDocument.Parse(document.Body).RootElement.GetProperty("resources").EnumerateArray()
            .Single(r => r.GetProperty("name").GetString() == name);

    [Fact]
    public void CoreResourceList_DescribesPodsAsKubeApiserverDoes()
    {
        var pods = Resource(_documents.ResourceList("", "v1")!, "pods");

        Assert.Equal("pod", pods.GetProperty("singularName").GetString());
        Assert.True(pods.GetProperty("namespaced").GetBoolean());
        Assert.Equal("Pod", pods.GetProperty("kind").GetString());
        Assert.Equal(["po"], pods.GetProperty("shortNames").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["all"], pods.GetProperty("categories").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("xPOwRZ+Yhw8=", pods.GetProperty("storageVersionHash").GetString());
    }

    [Fact]
    public void CoreResourceList_GivesSubresourcesTheirOwnKinds()
    {
        var list = _documents.ResourceList("", "v1")!;

        var eviction = Resource(list, "pods/eviction");
        Assert.Equal("policy", eviction.GetProperty("group").GetString());
        Assert.Equal("v1", eviction.GetProperty("version").GetString());
        Assert.Equal("Eviction", eviction.GetProperty("kind").GetString());
        Assert.Equal(["create"], eviction.GetProperty("verbs").EnumerateArray().Select(e => e.GetString()));

        Assert.Equal("Binding", Resource(list, "pods/binding").GetProperty("kind").GetString());
        var status = Resource(list, "pods/status");
        Assert.Equal("Pod", status.GetProperty("kind").GetString());
        Assert.False(status.TryGetProperty("group", out _));
        Assert.Equal(["get", "patch", "update"], status.GetProperty("verbs").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void AppsResourceList_ScaleSubresourceIsAutoscalingScale()
    {
        var scale = Resource(_documents.ResourceList("apps", "v1")!, "deployments/scale");

        Assert.Equal("autoscaling", scale.GetProperty("group").GetString());
        Assert.Equal("Scale", scale.GetProperty("kind").GetString());
        Assert.Equal("8aSe+NMegvE=", Resource(_documents.ResourceList("apps", "v1")!, "deployments").GetProperty("storageVersionHash").GetString());
    }

    [Fact]
    public void GroupList_ListsNonCoreGroupsWithPreferredVersion()
    {
        var groups = JsonDocument.Parse(_documents.GroupList.Body).RootElement.GetProperty("groups").EnumerateArray().ToArray();

        Assert.DoesNotContain(groups, g => g.GetProperty("name").GetString() == "");
        var apps = groups.Single(g => g.GetProperty("name").GetString() == "apps");
        Assert.Equal("apps/v1", apps.GetProperty("preferredVersion").GetProperty("groupVersion").GetString());
    }

    [Fact]
    public void AggregatedCore_HasOneUnnamedGroupWithClusterScopedNamespaces()
    {
        var root = JsonDocument.Parse(_documents.Aggregated(core: true, "v2beta1").Body).RootElement;

        Assert.Equal("apidiscovery.k8s.io/v2beta1", root.GetProperty("apiVersion").GetString());
        var item = Assert.Single(root.GetProperty("items").EnumerateArray());
        Assert.False(item.GetProperty("metadata").TryGetProperty("name", out _));
        var namespaces = item.GetProperty("versions")[0].GetProperty("resources").EnumerateArray()
            .Single(r => r.GetProperty("resource").GetString() == "namespaces");
        Assert.Equal("Cluster", namespaces.GetProperty("scope").GetString());
        Assert.Equal("namespace", namespaces.GetProperty("singularResource").GetString());
        Assert.Equal("Namespace", namespaces.GetProperty("responseKind").GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json", "v2")]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", "v2beta1")]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json", null)]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0.5,application/json", null)]
    [InlineData("application/json", null)]
    [InlineData("", null)]
    public void Negotiate_ChoosesAggregatedOnlyWhenAskedFor(string accept, string? expected)
    {
        Assert.Equal(expected, AggregatedDiscoveryMediaType.Negotiate(new StringValues(accept)));
    }

    [Fact]
    public void Version_IsKubernetes132()
    {
        var info = KubernetesVersion.Create();

        Assert.Equal("1", info.Major);
        Assert.Equal("32", info.Minor);
        Assert.StartsWith("v1.32.", info.GitVersion, StringComparison.Ordinal);
        Assert.Equal("linux/amd64", info.Platform);
    }
}
