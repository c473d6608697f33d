using System.Net;
using System.Text.Json;
using Navarch.ApiServer.Tests.Discovery;

namespace Navarch.ApiServer.Tests.OpenApi;

/// <summary>The OpenAPI endpoints over HTTP: media types, the v3 index and its hash caching.</summary>
public sealed class OpenApiHttpTests(DiscoveryTestServer server) : IClassFixture<DiscoveryTestServer>
{
    private HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false })
    {
        BaseAddress = server.BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public async Task V2_WhenOnlyProtobufIsAccepted_ReturnsNotAcceptableStatus()
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v2");
        request.Headers.TryAddWithoutValidation("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("NotAcceptable", json.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task V2_AsJson_IsSwagger2()
    {
        using var client = Client();

        using var json = JsonDocument.Parse(await client.GetStringAsync("/openapi/v2"));

        Assert.Equal("2.0", json.RootElement.GetProperty("swagger").GetString());
        Assert.True(json.RootElement.GetProperty("definitions").TryGetProperty("io.k8s.api.core.v1.Pod", out _));
    }

    [Fact]
    public async Task V3_IndexUrlWithHash_IsServedAsImmutable()
    {
        using var client = Client();
        using var index = JsonDocument.Parse(await client.GetStringAsync("/openapi/v3"));
        var url = index.RootElement.GetProperty("paths").GetProperty("apis/apps/v1").GetProperty("serverRelativeURL").GetString()!;
        Assert.StartsWith("/openapi/v3/apis/apps/v1?hash=", url, StringComparison.Ordinal);

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("3.0.0", document.RootElement.GetProperty("openapi").GetString());
    }

    [Fact]
    public async Task V3_StaleHash_RedirectsToCurrentDocument()
    {
        using var client = Client();

        using var response = await client.GetAsync("/openapi/v3/api/v1?hash=0123");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith("/openapi/v3/api/v1?hash=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V3_UnknownGroupVersion_ReturnsNotFound()
    {
        using var client = Client();

        using var response = await client.GetAsync("/openapi/v3/apis/nothing.example.com/v1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
