using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Navarch.ApiServer.Security;
using Navarch.ApiServer.Tests.Discovery;

namespace Navarch.ApiServer.Tests.NodeProxy;

/// <summary>nodes/proxy and pods/proxy through a real API server to a fake kubelet and a fake pod.</summary>
public sealed class ResourceProxyTests(ResourceProxyFixture fixture) : IClassFixture<ResourceProxyFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private string KubeletPort => ResourceProxyFixture.PortText(fixture.Kubelet.Port);

    [Fact]
    public async Task Discovery_ListsNodeAndPodProxy_AsKubeApiserverDoes()
    {
        var (code, body) = await fixture.Server.SendAsync(HttpMethod.Get, "/api/v1");

        Assert.Equal(200, code);
        var resources = body!["resources"]!.AsArray();
        foreach (var (name, kind) in new[] { ("nodes/proxy", "NodeProxyOptions"), ("pods/proxy", "PodProxyOptions") })
        {
            var entry = resources.Single(r => (string?)r!["name"] == name)!;
            Assert.Equal(kind, (string?)entry["kind"]);
            Assert.Equal(["create", "delete", "get", "patch", "update"], entry["verbs"]!.AsArray().Select(v => (string?)v));
        }
    }

    [Fact]
    public async Task NodeProxy_Get_ReachesTheKubeletPath_WithQueryAndKubeletClientCertificate()
    {
        var (code, text, _) = await SendAsync(HttpMethod.Get, "/api/v1/nodes/n1/proxy/healthz?verbose=1&x=a%20b");

        Assert.Equal(200, code);
        Assert.Equal("ok", text);
        var seen = fixture.Kubelet.Requests.Last(r => r.Path == "/healthz");
        Assert.Equal("?verbose=1&x=a%20b", seen.Query);
        Assert.Equal(ClusterCertificates.KubeletClientUserName, seen.ClientCommonName);
        Assert.False(seen.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task NodeProxy_StatsSummary_ReturnsTheKubeletsJson()
    {
        var (code, text, response) = await SendAsync(HttpMethod.Get, "/api/v1/nodes/n1/proxy/stats/summary");

        Assert.Equal(200, code);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("n1", (string?)JsonNode.Parse(text)!["node"]!["nodeName"]);
    }

    [Fact]
    public async Task NodeProxy_LongPath_IsForwardedWhole()
    {
        await SendAsync(HttpMethod.Get, "/api/v1/nodes/n1/proxy/a/b/c/d/e/f/g/");

        Assert.Contains(fixture.Kubelet.Requests, r => r.Path == "/a/b/c/d/e/f/g/");
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    public async Task NodeProxy_RequestWithBody_ForwardsMethodBodyAndRelaysStatusAndHeaders(string method)
    {
        var (code, text, response) = await SendAsync(new HttpMethod(method), "/api/v1/nodes/n1/proxy/echo?a=1", "hello kubelet");

        Assert.Equal(202, code);
        Assert.Equal($"{method} ?a=1 text/plain; charset=utf-8 hello kubelet", text);
        Assert.Equal("text/x-echo", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("yes", response.Headers.GetValues("X-Echo").Single());
    }

    [Fact]
    public async Task NodeProxy_Delete_ForwardsTheMethod()
    {
        var (code, text, _) = await SendAsync(HttpMethod.Delete, "/api/v1/nodes/n1/proxy/echo");

        Assert.Equal(202, code);
        Assert.StartsWith("DELETE ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeProxy_WithTheKubeletPortInTheName_ReachesTheKubelet()
    {
        var (code, text, _) = await SendAsync(HttpMethod.Get, $"/api/v1/nodes/n1:{KubeletPort}/proxy/healthz");

        Assert.Equal(200, code);
        Assert.Equal("ok", text);
    }

    [Fact]
    public async Task NodeProxy_WithSchemeAndAnotherPort_ReachesThatPort()
    {
        // Node "elsewhere" reports another kubelet port, so only the explicit https port reaches the fake kubelet.
        var (code, text, _) = await SendAsync(HttpMethod.Get, $"/api/v1/nodes/https:elsewhere:{KubeletPort}/proxy/healthz");

        Assert.Equal(200, code);
        Assert.Equal("ok", text);
    }

    [Fact]
    public async Task NodeProxy_StreamsTheResponse_AsTheKubeletWritesIt()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/nodes/n1/proxy/twoParts");
        using var response = await fixture.Server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);

        // The first part arrives while the kubelet is still holding back the second.
        Assert.Equal("part1\n", await ReadAtLeastAsync(body, "part1\n".Length, timeout.Token));
        fixture.Kubelet.ReleaseSecondPart();
        Assert.Equal("part2\n", await ReadAtLeastAsync(body, "part2\n".Length, timeout.Token));
    }

    [Fact]
    public async Task NodeProxy_UpgradeRequest_IsRelayedToTheKubelet()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await using var connection = await fixture.ConnectRawAsync(timeout.Token);
        List<KeyValuePair<string, string>> headers =
        [
            new("Host", fixture.Server.Host.Url!.Authority),
            new("Connection", "Upgrade"),
            new("Upgrade", "SPDY/3.1"),
            new("X-Stream-Protocol-Version", "v4.channel.k8s.io"),
            new("Content-Length", "0"),
        ];
        await connection.WriteHeadAsync("POST", "/api/v1/nodes/n1/proxy/exec/default/p/c?command=cat&input=1&output=1", headers, timeout.Token);

        Assert.Equal(101, (await connection.ReadHeadAsync(timeout.Token)).StatusCode);
        await connection.Stream.WriteAsync("through-node-proxy"u8.ToArray(), timeout.Token);
        var echoed = new byte[18];
        var buffered = connection.Buffered.Length;
        connection.Buffered.CopyTo(echoed);
        await connection.Stream.ReadExactlyAsync(echoed.AsMemory(buffered), timeout.Token);
        Assert.Equal("through-node-proxy", Encoding.ASCII.GetString(echoed));
        Assert.Contains(fixture.Kubelet.Requests, r => r.Path == "/exec/default/p/c" && r.Query == "?command=cat&input=1&output=1");
    }

    [Fact]
    public async Task NodeProxy_OfMissingNode_Is404()
    {
        var (code, text, _) = await SendAsync(HttpMethod.Get, "/api/v1/nodes/nope/proxy/healthz");

        Assert.Equal(404, code);
        var status = JsonNode.Parse(text)!;
        Assert.Equal("NotFound", (string?)status["reason"]);
        Assert.Equal("nodes \"nope\" not found", (string?)status["message"]);
    }

    [Fact]
    public async Task NodeProxy_ToUnreachableKubelet_Is503()
    {
        var (code, text, _) = await SendAsync(HttpMethod.Get, "/api/v1/nodes/dead/proxy/healthz");

        Assert.Equal(503, code);
        var status = JsonNode.Parse(text)!;
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal("ServiceUnavailable", (string?)status["reason"]);
        Assert.StartsWith("error trying to reach service: dial tcp 127.0.0.1:", (string?)status["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeProxy_OfNodeWithoutAddress_IsAStatusError()
    {
        var (code, text, _) = await SendAsync(HttpMethod.Get, "/api/v1/nodes/bare/proxy/healthz");

        Assert.Equal(500, code);
        Assert.Contains("no preferred addresses found; known addresses: []", (string?)JsonNode.Parse(text)!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeProxy_WithInvalidName_Is400()
    {
        var (code, text, _) = await SendAsync(HttpMethod.Get, "/api/v1/nodes/ftp:n1:1/proxy/healthz");

        Assert.Equal(400, code);
        Assert.Equal("invalid node request \"ftp:n1:1\"", (string?)JsonNode.Parse(text)!["message"]);
    }

    [Theory]
    [InlineData("web:{port}")]
    [InlineData("http:web:{port}")]
    public async Task PodProxy_WithPort_ForwardsPathAndQueryToThePodIP(string id)
    {
        var name = id.Replace("{port}", ResourceProxyFixture.PortText(fixture.Pod.Port), StringComparison.Ordinal);
        var (code, text, _) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/default/pods/{name}/proxy/some/path?q=1");

        Assert.Equal(200, code);
        Assert.Equal("pod GET /some/path?q=1", text);
    }

    [Fact]
    public async Task PodProxy_WithoutPort_UsesTheFirstDeclaredContainerPort()
    {
        var (code, text, _) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods/web/proxy", "");

        Assert.Equal(200, code);
        Assert.Equal("pod POST /", text);
    }

    [Fact]
    public async Task PodProxy_OfPodWithoutIP_IsAddressNotAllowed()
    {
        var (code, text, _) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/pods/noip/proxy/");

        Assert.Equal(400, code);
        Assert.Equal("address not allowed", (string?)JsonNode.Parse(text)!["message"]);
    }

    [Fact]
    public async Task PodProxy_OfMissingPod_Is404()
    {
        var (code, text, _) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/pods/nope:80/proxy/");

        Assert.Equal(404, code);
        Assert.Equal("pods \"nope\" not found", (string?)JsonNode.Parse(text)!["message"]);
    }

    [Fact]
    public async Task Kubectl_GetRaw_ThroughNodeProxy_PrintsTheKubeletsAnswers()
    {
        using var kubectl = new Kubectl(fixture.Server.KubeconfigPath);

        var healthz = await kubectl.RunAsync("get", "--raw", "/api/v1/nodes/n1/proxy/healthz");
        var summary = await kubectl.RunAsync("get", "--raw", "/api/v1/nodes/n1/proxy/stats/summary");

        Assert.True(healthz.ExitCode == 0, healthz.Stderr);
        Assert.Equal("ok", healthz.Stdout.Trim());
        Assert.True(summary.ExitCode == 0, summary.Stderr);
        Assert.Equal("n1", (string?)JsonNode.Parse(summary.Stdout)!["node"]!["nodeName"]);
    }

    private async Task<(int Code, string Text, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "text/plain");
        }

        var response = await fixture.Server.Client.SendAsync(request, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        return ((int)response.StatusCode, text, response);
    }

    private static async Task<string> ReadAtLeastAsync(Stream body, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await body.ReadExactlyAsync(buffer, cancellationToken);
        return Encoding.UTF8.GetString(buffer);
    }
}
