using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Pods.Probes;
using Navarch.Kubelet.Pods.Probes.Health;
using Navarch.Kubelet.Tests.Pods;

namespace Navarch.Kubelet.Tests.Lifecycle;

/// <summary>The network probe actions against a real in-process server: HTTP/1.1 for httpGet and tcpSocket, h2c gRPC health for grpc.</summary>
public sealed class ProbeActionsTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly CriClient _cri = new("/nonexistent/cri.sock");
    private readonly ProbeActions _actions;
    private WebApplication? _server;
    private int _httpPort;
    private int _grpcPort;

    public ProbeActionsTests() => _actions = new ProbeActions(_cri);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        _server = builder.Build();
        _server.MapGet("/healthz", (HttpContext context) =>
            context.Request.Headers["X-Probe"] == "yes" && context.Request.Headers.UserAgent.ToString().StartsWith("kube-probe/", StringComparison.Ordinal)
                ? Results.Text("fine")
                : Results.StatusCode(500));
        _server.MapGet("/moved", () => Results.Redirect("/healthz"));
        _server.MapPost("/grpc.health.v1.Health/Check", CheckAsync);
        await _server.StartAsync();
        // The bound addresses, in the order the endpoints were configured.
        var ports = _server.Urls.Select(address => new Uri(address).Port).ToList();
        (_httpPort, _grpcPort) = (ports[0], ports[1]);
    }

    [Fact]
    public async Task HttpGet_PortByNameWithHeaders_Succeeds()
    {
        var container = TestPods.Busybox("app");
        container.Ports = [new V1ContainerPort { Name = "web", ContainerPort = _httpPort }];
        var action = new V1HTTPGetAction { Port = "web", Path = "/healthz", HttpHeaders = [new V1HTTPHeader { Name = "X-Probe", Value = "yes" }] };

        var result = await _actions.HttpGetAsync(Target(container), action, Timeout, CancellationToken.None);

        Assert.Equal((ProbeOutcome.Success, "fine"), (result.Outcome, result.Message));
    }

    [Fact]
    public async Task HttpGet_ServerError_FailsWithStatusCodeMessage()
    {
        var action = new V1HTTPGetAction { Port = _httpPort, Path = "/healthz" };

        var result = await _actions.HttpGetAsync(Target(TestPods.Busybox("app")), action, Timeout, CancellationToken.None);

        Assert.Equal((ProbeOutcome.Failure, "HTTP probe failed with statuscode: 500"), (result.Outcome, result.Message));
    }

    [Fact]
    public async Task HttpGet_UnknownPortName_Fails()
    {
        var action = new V1HTTPGetAction { Port = "nope", Path = "/healthz" };

        var result = await _actions.HttpGetAsync(Target(TestPods.Busybox("app")), action, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Failure, result.Outcome);
        Assert.Contains("\"nope\"", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TcpSocket_OpenAndClosedPorts()
    {
        var open = await _actions.TcpSocketAsync(Target(TestPods.Busybox("app")), new V1TCPSocketAction { Port = _httpPort }, Timeout, CancellationToken.None);
        var closed = await _actions.TcpSocketAsync(Target(TestPods.Busybox("app")), new V1TCPSocketAction { Port = 1 }, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Success, open.Outcome);
        Assert.Equal(ProbeOutcome.Failure, closed.Outcome);
        Assert.StartsWith("dial tcp 127.0.0.1:1: ", closed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_ServingService_Succeeds_NotServingFails()
    {
        var serving = await _actions.GrpcAsync(Target(TestPods.Busybox("app")), new V1GRPCAction { Port = _grpcPort }, Timeout, CancellationToken.None);
        var notServing = await _actions.GrpcAsync(
            Target(TestPods.Busybox("app")), new V1GRPCAction { Port = _grpcPort, Service = "down" }, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Success, serving.Outcome);
        Assert.Equal((ProbeOutcome.Failure, "service unhealthy (responded with \"NOT_SERVING\")"), (notServing.Outcome, notServing.Message));
    }

    [Fact]
    public async Task Grpc_NothingListening_Fails()
    {
        var result = await _actions.GrpcAsync(Target(TestPods.Busybox("app")), new V1GRPCAction { Port = 1 }, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Failure, result.Outcome);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _actions.Dispose();
        _cri.Dispose();
    }

    private static ProbeTarget Target(V1Container container) =>
        new(TestPods.New("p", "Always", container), container, "container-id", "127.0.0.1");

    /// <summary>A hand-rolled grpc.health.v1 Check: one length-prefixed message in, one out, grpc-status in the trailers.</summary>
    private static async Task CheckAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var request = HealthCheckRequest.Parser.ParseFrom(body.ToArray().AsSpan(5));
        var response = new HealthCheckResponse
        {
            Status = request.Service == "down" ? HealthCheckResponse.Types.ServingStatus.NotServing : HealthCheckResponse.Types.ServingStatus.Serving,
        }.ToByteArray();
        var frame = new byte[5 + response.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)response.Length);
        response.CopyTo(frame, 5);
        context.Response.ContentType = "application/grpc";
        context.Response.AppendTrailer("grpc-status", "0");
        await context.Response.Body.WriteAsync(frame);
    }
}
