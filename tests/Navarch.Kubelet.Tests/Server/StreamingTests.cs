using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Tests.Server;

/// <summary>
/// <c>/exec</c> and <c>/portForward</c> proxied to containerd's streaming server, spoken to as kubectl does over
/// WebSocket with the <c>v4.channel.k8s.io</c> protocol: every message starts with its channel's byte
/// (exec: 0 stdin, 1 stdout, 2 stderr, 3 status; port-forward: 0 data, 1 error).
/// </summary>
[Collection(ContainerdCollection.Name)]
public sealed class StreamingTests(ContainerdFixture fixture) : IAsyncLifetime
{
    private const string ChannelProtocol = "v4.channel.k8s.io";
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private KubeletApi? _api;
    private TestPod? _pod;

    private KubeletApi Api => _api ?? throw new InvalidOperationException("not started");

    private TestPod Pod => _pod ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _api = await KubeletApi.StartAsync(fixture.Cri);
        _pod = await TestPod.RunAsync(fixture, "stream-" + Guid.NewGuid().ToString("N")[..8], _timeout.Token);
        var id = await _pod.StartContainerAsync("app", 0, _timeout.Token, "sleep", "600");
        await _pod.WaitForStateAsync(id, ContainerState.ContainerRunning, _timeout.Token);
    }

    [Fact(Timeout = 30_000)]
    public async Task Exec_OverWebSocket_ReturnsOutputAndSuccessStatus()
    {
        using var socket = await ConnectAsync($"/exec/{Pod.Namespace}/{Pod.Name}/app?command=echo&command=hi&output=1&error=1");

        var (channels, status) = await ReadUntilStatusAsync(socket);

        Assert.Equal(ChannelProtocol, socket.SubProtocol);
        Assert.Equal("hi\n", channels.GetValueOrDefault((byte)1, ""));
        Assert.Equal("Success", status.GetProperty("status").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Exec_CommandFailing_ReportsItsExitCode()
    {
        using var socket = await ConnectAsync($"/exec/{Pod.Namespace}/{Pod.Name}/app?command=sh&command=-c&command=echo+oops+%3E%262%3B+exit+3&output=1&error=1");

        var (channels, status) = await ReadUntilStatusAsync(socket);

        Assert.Equal("oops\n", channels.GetValueOrDefault((byte)2, ""));
        Assert.Equal("Failure", status.GetProperty("status").GetString());
        Assert.Equal("NonZeroExitCode", status.GetProperty("reason").GetString());
        var cause = status.GetProperty("details").GetProperty("causes")[0];
        Assert.Equal("ExitCode", cause.GetProperty("reason").GetString());
        Assert.Equal("3", cause.GetProperty("message").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Attach_OverWebSocket_StreamsTheMainProcessOutput()
    {
        var id = await Pod.StartContainerAsync("ticker", 0, _timeout.Token, "sh", "-c", "while true; do echo tick; sleep 0.2; done");
        await Pod.WaitForStateAsync(id, ContainerState.ContainerRunning, _timeout.Token);
        using var socket = await ConnectAsync($"/attach/{Pod.Namespace}/{Pod.Name}/ticker?output=1&error=1");

        var output = new StringBuilder();
        while (!output.ToString().Contains("tick\n", StringComparison.Ordinal))
        {
            var (channel, payload) = await ReceiveAsync(socket);
            if (channel == 1) output.Append(Encoding.UTF8.GetString(payload));
        }

        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, _timeout.Token);
    }

    [Fact(Timeout = 30_000)]
    public async Task Exec_WithWebSocketProtocolTheRuntimeLacks_IsRefusedBeforeUpgrade()
    {
        // containerd 1.6 speaks the v4 channel protocols; a refusal (not a 101) is what lets kubectl fall back to SPDY.
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("v5.channel.k8s.io");
        socket.Options.ClientCertificates.Add(Api.ApiServerCertificate());
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        socket.Options.CollectHttpResponseDetails = true;
        var uri = new Uri($"wss://127.0.0.1:{Api.Server.Port}/exec/{Pod.Namespace}/{Pod.Name}/app?command=true&output=1");

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, _timeout.Token));
        // The refusal of Go's x/net/websocket handshake, relayed as is.
        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Exec_SpdyUpgrade_IsSwitchedWithTheNegotiatedStreamProtocol()
    {
        // kubectl's SPDY request as the API server forwards it; only the handshake is checked here, the frames after
        // it are the same relayed bytes the WebSocket tests exercise.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Api.Server.Port, _timeout.Token);
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [Api.ApiServerCertificate()],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, _timeout.Token);
        var request =
            $"POST /exec/{Pod.Namespace}/{Pod.Name}/app?command=true&output=1&error=1 HTTP/1.1\r\n" +
            "Host: localhost\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n" +
            "X-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Stream-Protocol-Version: channel.k8s.io\r\nContent-Length: 0\r\n\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(request), _timeout.Token);

        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.Equal(1, await tls.ReadAsync(buffer, _timeout.Token));
            head.Append((char)buffer[0]);
        }

        var text = head.ToString();
        Assert.StartsWith("HTTP/1.1 101", text, StringComparison.Ordinal);
        Assert.Contains("Upgrade: SPDY/3.1\r\n", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("X-Stream-Protocol-Version: v4.channel.k8s.io\r\n", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = 30_000)]
    public async Task Exec_InMissingContainer_Returns404Status()
    {
        var response = await Api.ApiServerClient().GetAsync($"/exec/{Pod.Namespace}/{Pod.Name}/nope?command=true&output=1", _timeout.Token);

        var status = await KubeletServerAuthTests.AssertStatusAsync(response, 404, "NotFound");
        Assert.Equal("container not found (\"nope\")", status.GetProperty("message").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task PortForward_OverWebSocket_ReachesAListenerInThePodsNetwork()
    {
        // The test pod shares the host's network, so a listener here is a listener "in the pod".
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var served = ServeOnceAsync(listener);

        using var socket = await ConnectAsync($"/portForward/{Pod.Namespace}/{Pod.Name}?port={port}");
        // Each channel opens with the port, little-endian, as its first two bytes.
        var (channel, payload) = await ReceiveAsync(socket);
        Assert.Equal(0, channel);
        Assert.Equal(port, BitConverter.ToUInt16(payload, 0));
        await socket.SendAsync((byte[])[0, .. "ping"u8], WebSocketMessageType.Binary, true, _timeout.Token);
        var answer = new StringBuilder();
        while (answer.Length < 4)
        {
            var (received, data) = await ReceiveAsync(socket);
            if (received == 0) answer.Append(Encoding.ASCII.GetString(data));
        }

        Assert.Equal("pong", answer.ToString());
        Assert.Equal("ping", await served);
    }

    [Fact(Timeout = 30_000)]
    public async Task Exec_WithoutUpgrade_Returns400Status()
    {
        var response = await Api.ApiServerClient().PostAsync($"/exec/{Pod.Namespace}/{Pod.Name}/app?command=true&output=1", null, _timeout.Token);

        await KubeletServerAuthTests.AssertStatusAsync(response, 400, "BadRequest");
    }

    private async Task<string> ServeOnceAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync(_timeout.Token);
        var stream = client.GetStream();
        var buffer = new byte[4];
        await stream.ReadExactlyAsync(buffer, _timeout.Token);
        await stream.WriteAsync("pong"u8.ToArray(), _timeout.Token);
        return Encoding.ASCII.GetString(buffer);
    }

    private async Task<ClientWebSocket> ConnectAsync(string pathAndQuery)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(ChannelProtocol);
        socket.Options.ClientCertificates.Add(Api.ApiServerCertificate());
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        var uri = new Uri($"wss://127.0.0.1:{Api.Server.Port}{pathAndQuery}");
        await socket.ConnectAsync(uri, _timeout.Token);
        return socket;
    }

    private async Task<(Dictionary<byte, string> Channels, JsonElement Status)> ReadUntilStatusAsync(ClientWebSocket socket)
    {
        var channels = new Dictionary<byte, string>();
        while (true)
        {
            var (channel, payload) = await ReceiveAsync(socket);
            if (channel == 3 && payload.Length > 0)
            {
                return (channels, JsonDocument.Parse(payload).RootElement.Clone());
            }

            channels[(byte)channel] = channels.GetValueOrDefault((byte)channel, "") + Encoding.UTF8.GetString(payload);
        }
    }

    private async Task<(int Channel, byte[] Payload)> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), _timeout.Token);
            Assert.False(result.MessageType == WebSocketMessageType.Close, $"closed: {result.CloseStatus} {result.CloseStatusDescription}");
            length += result.Count;
        }
        while (!result.EndOfMessage);

        Assert.True(length > 0, "a message without its channel byte");
        return (buffer[0], buffer[1..length]);
    }

    public async Task DisposeAsync()
    {
        if (_pod is not null) await _pod.RemoveAsync();
        if (_api is not null) await _api.DisposeAsync();
        _timeout.Dispose();
    }
}
