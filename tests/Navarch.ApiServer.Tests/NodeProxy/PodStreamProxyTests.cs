using System.Text;
using System.Text.Json;
using Navarch.ApiServer.NodeProxy;

namespace Navarch.ApiServer.Tests.NodeProxy;

/// <summary>pods/exec, attach and portforward: an HTTP/1.1 Upgrade relayed through a real API server to a fake kubelet.</summary>
public sealed class PodStreamProxyTests(NodeProxyFixture fixture) : IClassFixture<NodeProxyFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Exec_SpdyUpgrade_RelaysTheSwitch_AndEchoesBytesBothWays()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await using var connection = await fixture.ConnectRawAsync();
        await connection.WriteHeadAsync("POST", "/api/v1/namespaces/default/pods/one/exec?command=sh&command=-c&command=echo%20hi&stdin=true&stdout=true&tty=false",
            UpgradeHeaders("SPDY/3.1", ("Authorization", "Bearer not-for-the-kubelet")), timeout.Token);

        var head = await connection.ReadHeadAsync(timeout.Token);
        Assert.Equal(101, head.StatusCode);
        Assert.Equal("SPDY/3.1", head.Header("Upgrade"));
        Assert.Equal("v4.channel.k8s.io", head.Header("X-Stream-Protocol-Version"));

        await connection.Stream.WriteAsync("ping-through-proxy"u8.ToArray(), timeout.Token);
        var echoed = new byte[18];
        var buffered = connection.Buffered.Length;
        connection.Buffered.CopyTo(echoed);
        await connection.Stream.ReadExactlyAsync(echoed.AsMemory(buffered), timeout.Token);
        Assert.Equal("ping-through-proxy", Encoding.ASCII.GetString(echoed));

        var seen = fixture.Kubelet.Requests.Last(r => r.Path.StartsWith("/exec/", StringComparison.Ordinal));
        Assert.Equal("/exec/default/one/c", seen.Path);
        Assert.Equal("?input=1&output=1&command=sh&command=-c&command=echo%20hi", seen.Query);
        Assert.Equal("POST", seen.Method);
        Assert.False(seen.Headers.ContainsKey("Authorization"));
        Assert.Equal("v4.channel.k8s.io,v3.channel.k8s.io", seen.Headers["X-Stream-Protocol-Version"]);
    }

    [Fact]
    public async Task Exec_UpgradedConnection_CarriesMoreThanTheRequestBodyLimit()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await using var connection = await fixture.ConnectRawAsync();
        await connection.WriteHeadAsync("POST", "/api/v1/namespaces/default/pods/one/exec?command=cat&stdin=true&stdout=true",
            UpgradeHeaders("SPDY/3.1"), timeout.Token);
        Assert.Equal(101, (await connection.ReadHeadAsync(timeout.Token)).StatusCode);

        // Like kubectl cp of a large file: far more than the API server accepts as a request body.
        var payload = new byte[Serialization.RequestBody.MaxBytes * 3];
        Random.Shared.NextBytes(payload);
        var sending = connection.Stream.WriteAsync(payload, timeout.Token).AsTask();
        var echoed = new byte[payload.Length];
        var buffered = connection.Buffered.Length;
        connection.Buffered.CopyTo(echoed);
        await connection.Stream.ReadExactlyAsync(echoed.AsMemory(buffered), timeout.Token);
        await sending;

        Assert.True(payload.AsSpan().SequenceEqual(echoed));
    }

    [Fact]
    public async Task Exec_ClientClosingTheUpgradedConnection_ClosesTheKubeletSide()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var session = Guid.NewGuid().ToString("N");
        var connection = await fixture.ConnectRawAsync();
        await connection.WriteHeadAsync("POST", "/api/v1/namespaces/default/pods/one/exec?command=cat&stdin=true",
            UpgradeHeaders("SPDY/3.1", ("X-Test-Session", session)), timeout.Token);
        Assert.Equal(101, (await connection.ReadHeadAsync(timeout.Token)).StatusCode);

        Assert.False(fixture.Kubelet.UpgradeEnded(session).IsCompleted);
        await connection.DisposeAsync();

        await fixture.Kubelet.UpgradeEnded(session).WaitAsync(timeout.Token);
    }

    [Fact]
    public async Task Exec_WebSocketUpgradeRefusedByTheKubelet_ReachesTheClientAsTheKubeletsAnswer()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await using var connection = await fixture.ConnectRawAsync();
        var headers = UpgradeHeaders("websocket", ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Protocol", "v5.channel.k8s.io"));
        await connection.WriteHeadAsync("GET", "/api/v1/namespaces/default/pods/one/exec?command=true&stdout=true", headers, timeout.Token);

        var head = await connection.ReadHeadAsync(timeout.Token);
        var body = await connection.ReadBodyAsync(head, timeout.Token);

        // Not 101: kubectl takes this as an upgrade failure and retries with SPDY.
        Assert.Equal(400, head.StatusCode);
        Assert.Equal("websocket not supported", JsonDocument.Parse(body).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Attach_ForwardsToTheKubeletsAttachPath()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await using var connection = await fixture.ConnectRawAsync();
        await connection.WriteHeadAsync("POST", "/api/v1/namespaces/default/pods/two/attach?container=b&stdin=true&stdout=true&tty=true",
            UpgradeHeaders("SPDY/3.1"), timeout.Token);

        Assert.Equal(101, (await connection.ReadHeadAsync(timeout.Token)).StatusCode);
        var seen = fixture.Kubelet.Requests.Last(r => r.Path.StartsWith("/attach/", StringComparison.Ordinal));
        Assert.Equal("/attach/default/two/b", seen.Path);
        Assert.Equal("?input=1&output=1&tty=1", seen.Query);
    }

    [Fact]
    public async Task PortForward_ForwardsToTheKubeletsPortForwardPath_WithPorts()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await using var connection = await fixture.ConnectRawAsync();
        await connection.WriteHeadAsync("POST", "/api/v1/namespaces/default/pods/two/portforward?ports=8080&ports=9090",
            UpgradeHeaders("SPDY/3.1"), timeout.Token);

        Assert.Equal(101, (await connection.ReadHeadAsync(timeout.Token)).StatusCode);
        var seen = fixture.Kubelet.Requests.Last(r => r.Path.StartsWith("/portForward/", StringComparison.Ordinal));
        Assert.Equal("/portForward/default/two", seen.Path);
        Assert.Equal("?port=8080&port=9090", seen.Query);
    }

    [Fact]
    public async Task Exec_OnPodWithoutNode_Is400NoHostAssigned()
    {
        var (code, body) = await fixture.Server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods/pending/exec?command=true");

        Assert.Equal(400, code);
        Assert.Equal("pod pending does not have a host assigned", (string?)body?["message"]);
    }

    [Fact]
    public async Task Exec_OnPodOfMissingNode_IsNodeNotFound()
    {
        var (code, body) = await fixture.Server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods/ghost/exec?command=true");

        Assert.Equal(404, code);
        Assert.Equal("nodes \"missing-node\" not found", (string?)body?["message"]);
    }

    [Fact]
    public async Task Exec_WithoutContainer_OnPodWithSeveral_Is400()
    {
        var (code, body) = await fixture.Server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods/two/exec?command=true");

        Assert.Equal(400, code);
        Assert.StartsWith("a container name must be specified for pod two, choose one of: [a b]", (string?)body?["message"]);
    }

    [Fact]
    public async Task Exec_WithoutUpgrade_Is400UpgradeRequired()
    {
        var (code, body) = await fixture.Server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods/one/exec?command=true");

        Assert.Equal(400, code);
        Assert.Equal("Upgrade request required", (string?)body?["message"]);
    }

    [Fact]
    public async Task Discovery_ListsTheConnectSubresources_WithKubeApiserversVerbs()
    {
        var (code, body) = await fixture.Server.SendAsync(HttpMethod.Get, "/api/v1");

        Assert.Equal(200, code);
        var resources = body!["resources"]!.AsArray();
        string Verbs(string name) => string.Join(",", resources.Single(r => (string?)r!["name"] == name)!["verbs"]!.AsArray().Select(v => (string?)v));
        Assert.Equal("get", Verbs("pods/log"));
        Assert.Equal("create,get", Verbs("pods/exec"));
        Assert.Equal("create,get", Verbs("pods/attach"));
        Assert.Equal("create,get", Verbs("pods/portforward"));
    }

    private List<KeyValuePair<string, string>> UpgradeHeaders(string protocol, params (string Name, string Value)[] extra)
    {
        var url = fixture.Server.Host.Url!;
        List<KeyValuePair<string, string>> headers =
        [
            new("Host", url.Authority),
            new("Connection", "Upgrade"),
            new("Upgrade", protocol),
            new("X-Stream-Protocol-Version", "v4.channel.k8s.io"),
            new("X-Stream-Protocol-Version", "v3.channel.k8s.io"),
            new("Content-Length", "0"),
        ];
        headers.AddRange(extra.Select(e => new KeyValuePair<string, string>(e.Name, e.Value)));
        return headers;
    }
}
