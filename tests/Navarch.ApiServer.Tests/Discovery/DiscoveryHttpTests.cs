using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Navarch.ApiServer.Tests.Discovery;

/// <summary>The discovery endpoints over HTTP: content negotiation, caching headers and 404s.</summary>
public sealed class DiscoveryHttpTests(DiscoveryTestServer server) : IClassFixture<DiscoveryTestServer>
{
    private const string KubectlAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    private HttpClient Client() => new() { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Apis_WithAggregatedAccept_ReturnsGroupDiscoveryListWithEchoedMediaType()
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis");
        request.Headers.TryAddWithoutValidation("Accept", KubectlAccept);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var contentType = response.Content.Headers.ContentType!;
        Assert.Equal("application/json", contentType.MediaType);
        Assert.Contains(contentType.Parameters, p => p.Name == "g" && p.Value == "apidiscovery.k8s.io");
        Assert.Contains(contentType.Parameters, p => p.Name == "v" && p.Value == "v2");
        Assert.Contains(contentType.Parameters, p => p.Name == "as" && p.Value == "APIGroupDiscoveryList");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("apidiscovery.k8s.io/v2", json.RootElement.GetProperty("apiVersion").GetString());
        var apps = json.RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("metadata").GetProperty("name").GetString() == "apps");
        var deployments = apps.GetProperty("versions")[0].GetProperty("resources").EnumerateArray()
            .Single(r => r.GetProperty("resource").GetString() == "deployments");
        Assert.Equal("Namespaced", deployments.GetProperty("scope").GetString());
        var scale = deployments.GetProperty("subresources").EnumerateArray().Single(s => s.GetProperty("subresource").GetString() == "scale");
        Assert.Equal("autoscaling", scale.GetProperty("responseKind").GetProperty("group").GetString());
        Assert.Equal("Scale", scale.GetProperty("responseKind").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Api_WithMatchingIfNoneMatch_ReturnsNotModified()
    {
        using var client = Client();
        using var first = new HttpRequestMessage(HttpMethod.Get, "/api");
        first.Headers.TryAddWithoutValidation("Accept", KubectlAccept);
        using var firstResponse = await client.SendAsync(first);
        var etag = firstResponse.Headers.ETag;
        Assert.NotNull(etag);

        using var second = new HttpRequestMessage(HttpMethod.Get, "/api");
        second.Headers.TryAddWithoutValidation("Accept", KubectlAccept);
        second.Headers.IfNoneMatch.Add(etag);
        using var secondResponse = await client.SendAsync(second);

        Assert.Equal(HttpStatusCode.NotModified, secondResponse.StatusCode);
    }

    [Fact]
    public async Task Api_WithPlainJsonAccept_ReturnsApiVersionsWithRequestAddress()
    {
        using var client = Client();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var json = JsonDocument.Parse(await client.GetStringAsync("/api"));

        Assert.Equal("APIVersions", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal("v1", json.RootElement.GetProperty("versions")[0].GetString());
        var address = json.RootElement.GetProperty("serverAddressByClientCIDRs")[0];
        Assert.Equal("0.0.0.0/0", address.GetProperty("clientCIDR").GetString());
        Assert.Equal($"127.0.0.1:{server.BaseAddress.Port}", address.GetProperty("serverAddress").GetString());
    }

    [Fact]
    public async Task UnknownGroupVersion_ReturnsNotFoundStatus()
    {
        using var client = Client();

        using var response = await client.GetAsync("/apis/nothing.example.com/v1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Status", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal("NotFound", json.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Version_ReportsTheVersionConstantUnescaped()
    {
        using var client = Client();

        var body = await client.GetStringAsync("/version");

        Assert.Contains($"\"gitVersion\":\"{Navarch.ApiServer.Discovery.KubernetesVersion.GitVersion}\"", body, StringComparison.Ordinal);
        Assert.Contains("\"minor\":\"32\"", body, StringComparison.Ordinal);
    }
}
