using System.Text;
using System.Text.Json.Nodes;
using Navarch.ApiServer.Tests.Discovery;

namespace Navarch.ApiServer.Tests.NodeProxy;

/// <summary>services/proxy through a real API server to a fake pod, chosen from the service's Endpoints.</summary>
public sealed class ServiceProxyTests(ResourceProxyFixture fixture) : IClassFixture<ResourceProxyFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Discovery_ListsServiceProxy_AsKubeApiserverDoes()
    {
        var (code, body) = await fixture.Server.SendAsync(HttpMethod.Get, "/api/v1");

        Assert.Equal(200, code);
        var entry = body!["resources"]!.AsArray().Single(r => (string?)r!["name"] == "services/proxy")!;
        Assert.Equal("ServiceProxyOptions", (string?)entry["kind"]);
        Assert.Equal(["create", "delete", "get", "patch", "update"], entry["verbs"]!.AsArray().Select(v => (string?)v));
    }

    [Theory]
    [InlineData("websvc:http")]
    [InlineData("http:websvc:http")]
    [InlineData("websvc:80")]
    [InlineData("http:websvc:80")]
    public async Task ServiceProxy_WithPortNameOrNumber_ForwardsPathAndQueryToAReadyEndpoint(string id)
    {
        var (code, text) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/default/services/{id}/proxy/some/path?q=1");

        Assert.Equal(200, code);
        Assert.Equal("pod GET /some/path?q=1", text);
    }

    [Fact]
    public async Task ServiceProxy_WithoutPort_UsesTheUnnamedPort()
    {
        var (code, text) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services/plain/proxy", "");

        Assert.Equal(200, code);
        Assert.Equal("pod POST /", text);
    }

    [Fact]
    public async Task ServiceProxy_WithoutPort_OnANamedPort_FindsNoEndpoint()
    {
        // As upstream: no port means the Endpoints port named "", which a service with only named ports lacks.
        var (code, text) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/websvc/proxy/");

        AssertStatus(503, "ServiceUnavailable", "no endpoints available for service \"websvc\"", code, text);
    }

    [Fact]
    public async Task ServiceProxy_WithEmptyEndpoints_Is503()
    {
        var (code, text) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/empty:http/proxy/");

        AssertStatus(503, "ServiceUnavailable", "no endpoints available for service \"empty\"", code, text);
    }

    [Fact]
    public async Task ServiceProxy_WithOnlyNotReadyAddresses_Is503()
    {
        var (code, text) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/notready:http/proxy/");

        AssertStatus(503, "ServiceUnavailable", "no endpoints available for service \"notready:http\"", code, text);
    }

    [Fact]
    public async Task ServiceProxy_WithAddressWhosePodLacksThatIP_Is503()
    {
        var (code, text) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/stale:http/proxy/");

        AssertStatus(503, "ServiceUnavailable", "no endpoints available for service \"stale:http\"", code, text);
    }

    [Fact]
    public async Task ServiceProxy_WithoutEndpointsObject_IsEndpointsNotFound()
    {
        var (code, text) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/noeps:http/proxy/");

        AssertStatus(404, "NotFound", "endpoints \"noeps\" not found", code, text);
    }

    [Fact]
    public async Task ServiceProxy_OfMissingService_WithNumericPort_Is404()
    {
        var (code, text) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/nope:80/proxy/");

        AssertStatus(404, "NotFound", "services \"nope\" not found", code, text);
    }

    [Fact]
    public async Task ServiceProxy_OfMissingService_ByName_Is404()
    {
        var (code, text) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/nope/proxy/");

        Assert.Equal(404, code);
        Assert.Equal("NotFound", (string?)JsonNode.Parse(text)!["reason"]);
    }

    [Fact]
    public async Task ServiceProxy_WithUnknownPortName_Is503()
    {
        var (code, text) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/websvc:nope/proxy/");

        AssertStatus(503, "ServiceUnavailable", "no endpoints available for service \"websvc:nope\"", code, text);
    }

    [Fact]
    public async Task ServiceProxy_WithUnknownPortNumber_Is503()
    {
        var (code, text) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/websvc:81/proxy/");

        AssertStatus(503, "ServiceUnavailable", "no service port 81 found for service \"websvc\"", code, text);
    }

    [Fact]
    public async Task ServiceProxy_WithInvalidName_Is400()
    {
        var (code, text) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/ftp:websvc:80/proxy/");

        AssertStatus(400, "BadRequest", "invalid service request \"ftp:websvc:80\"", code, text);
    }

    [Fact]
    public async Task Kubectl_GetRaw_ThroughServiceProxy_PrintsThePodsAnswer()
    {
        using var kubectl = new Kubectl(fixture.Server.KubeconfigPath);

        var result = await kubectl.RunAsync("get", "--raw", "/api/v1/namespaces/default/services/websvc:http/proxy/from/kubectl?x=y");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("pod GET /from/kubectl?x=y", result.Stdout.Trim());
    }

    private static void AssertStatus(int expectedCode, string reason, string message, int code, string text)
    {
        Assert.True(code == expectedCode, text);
        var status = JsonNode.Parse(text)!;
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal(reason, (string?)status["reason"]);
        Assert.Equal(message, (string?)status["message"]);
    }

    private async Task<(int Code, string Text)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "text/plain");
        }

        using var response = await fixture.Server.Client.SendAsync(request, timeout.Token);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token));
    }
}
