using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Navarch.Kubelet.Cri;

namespace Navarch.Kubelet.Server;

/// <summary>
/// The kubelet's HTTPS API on :10250: <c>/containerLogs</c>, <c>/exec</c>, <c>/attach</c>, <c>/portForward</c>,
/// <c>/healthz</c>, <c>/metrics</c> and <c>/stats/summary</c>, for the API server's <c>pods/log</c>, <c>pods/exec</c>,
/// <c>pods/attach</c> and <c>pods/portforward</c>. Every request needs a client certificate from the cluster CA naming
/// the API server (<see cref="KubeletServerOptions.AllowedClientName"/>).
/// </summary>
public sealed partial class KubeletServer(KubeletServerOptions options, CriClient cri, ILoggerFactory loggers, TimeProvider time) : IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<KubeletServer>();
    private WebApplication? _app;
    private ClientCertificateAuthorizer? _authorizer;
    private X509Certificate2? _certificate;

    /// <summary>The port it listens on once started (the chosen one when <see cref="KubeletServerOptions.Port"/> is 0).</summary>
    public int Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        var authorizer = new ClientCertificateAuthorizer(
            ClientCertificateAuthorizer.LoadRoots(options.ClientCaPem, options.ClientCaFile), options.AllowedClientName);
        var certificate = KubeletServingCertificate.LoadOrCreate(options.CertificateDirectory, options.NodeName, options.ServingAddresses, time);
        var locator = new PodContainerLocator(cri);
        var logs = new ContainerLogsHandler(cri, locator, options.LogPollInterval, time);
        var streaming = new StreamingHandler(cri, locator);
        var stats = new StatsSummaryWriter(cri, new NodeStatsProbe(time), options.NodeName, options.FilesystemRoot, time);
        var metrics = new KubeletMetricsWriter(cri, options.NodeName);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Followed logs and interactive sessions may be quiet for as long as they like.
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Listen(options.BindAddress, options.Port, listen =>
            {
                // HTTP/1.1 only: exec, attach and port-forward are HTTP/1.1 Upgrades.
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    // Asked for, not demanded by TLS: a missing or foreign certificate gets a 401 Status, not a reset.
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    ClientCertificateValidation = static (_, _, _) => true,
                    CheckCertificateRevocation = false,
                });
            });
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var client = context.Connection.ClientCertificate
                ?? await context.Connection.GetClientCertificateAsync(context.RequestAborted).ConfigureAwait(false);
            if (authorizer.Check(client, Verb(context.Request.Method), Subresource(context.Request.Path)) is { } denied)
            {
                await KubeletStatus.WriteAsync(context, denied.Code, denied.Message, context.RequestAborted).ConfigureAwait(false);
                return;
            }

            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (RpcException e) when (!context.Response.HasStarted)
            {
                LogRuntimeError(_logger, context.Request.Path, e);
                await KubeletStatus.WriteAsync(context, StatusCodes.Status500InternalServerError,
                    $"rpc error: code = {e.StatusCode} desc = {e.Status.Detail}", context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away.
            }
        });
        app.MapGet("/healthz", () => Results.Text("ok", "text/plain; charset=utf-8"));
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            var text = await metrics.RenderAsync(context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
        });
        app.MapGet("/stats/summary", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            await stats.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
        app.MapGet("/containerLogs/{ns}/{pod}/{container}", (HttpContext context, string ns, string pod, string container) =>
            logs.HandleAsync(context, ns, pod, container));
        string[] streamingMethods = [HttpMethods.Get, HttpMethods.Post];
        app.MapMethods("/exec/{ns}/{pod}/{container}", streamingMethods, (HttpContext context, string ns, string pod, string container) =>
            streaming.ExecAsync(context, ns, pod, container));
        app.MapMethods("/attach/{ns}/{pod}/{container}", streamingMethods, (HttpContext context, string ns, string pod, string container) =>
            streaming.AttachAsync(context, ns, pod, container));
        app.MapMethods("/portForward/{ns}/{pod}", streamingMethods, (HttpContext context, string ns, string pod) =>
            streaming.PortForwardAsync(context, ns, pod));

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            authorizer.Dispose();
            certificate.Dispose();
            throw;
        }

        _app = app;
        _authorizer = authorizer;
        _certificate = certificate;
        Port = BoundPort(app) ?? options.Port;
        LogListening(_logger, options.BindAddress, Port);
    }

    private static int? BoundPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        foreach (var address in addresses ?? [])
        {
            var colon = address.LastIndexOf(':');
            if (colon > 0 && int.TryParse(address.AsSpan(colon + 1).TrimEnd('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                return port;
            }
        }

        return null;
    }

    /// <summary>The kubelet authorizer's verb for a request method.</summary>
    private static string Verb(string method) => method switch
    {
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => "get",
    };

    /// <summary>The <c>nodes/&lt;subresource&gt;</c> the kubelet checks for a path.</summary>
    private static string Subresource(PathString path) =>
        path.StartsWithSegments("/stats") ? "stats"
        : path.StartsWithSegments("/metrics") ? "metrics"
        : path.StartsWithSegments("/logs") ? "log"
        : "proxy";

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }

        _authorizer?.Dispose();
        _authorizer = null;
        _certificate?.Dispose();
        _certificate = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kubelet API serving on {Address}:{Port}")]
    private static partial void LogListening(ILogger logger, IPAddress address, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kubelet API request {Path} failed in the container runtime")]
    private static partial void LogRuntimeError(ILogger logger, PathString path, Exception exception);
}
