using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Navarch.Client.Serving;

/// <summary>
/// A component's own HTTPS endpoint for health and metrics (kube-scheduler's :10259, kube-controller-manager's
/// :10257). Health and metrics answer without authentication, as Kubernetes allows for these paths by default.
/// </summary>
public sealed partial class ComponentServer(ComponentServerOptions options, IComponentHealth health, ILoggerFactory loggers, TimeProvider time) : IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<ComponentServer>();
    private WebApplication? _app;

    /// <summary>The address it listens on once started; null when the server is off.</summary>
    public Uri? Url { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        if (options.SecurePort == 0)
        {
            return;
        }

        var certificate = SelfSignedCertificate.Create(time);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(options.BindAddress, options.SecurePort, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        app.MapGet("/healthz", Health);
        app.MapGet("/livez", Health);
        app.MapGet("/readyz", Health);
        app.MapGet("/metrics", (HttpContext context) =>
        {
            var text = new StringBuilder();
            health.RenderMetrics(text);
            return Results.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var host = options.BindAddress.Equals(IPAddress.Any) ? IPAddress.Loopback : options.BindAddress;
        Url = new Uri($"https://{(host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host.ToString())}:{options.SecurePort}/");
        LogListening(_logger, Url);
    }

    private IResult Health(HttpContext context)
    {
        var failed = new List<string>();
        foreach (var (name, check) in health.HealthChecks)
        {
            if (!check()) failed.Add(name);
        }

        if (failed.Count == 0) return Results.Text("ok", "text/plain; charset=utf-8");

        var text = new StringBuilder();
        foreach (var (name, _) in health.HealthChecks)
        {
            text.Append(failed.Contains(name) ? $"[-]{name} failed: reason withheld\n" : $"[+]{name} ok\n");
        }

        text.Append("healthz check failed\n");
        return Results.Text(text.ToString(), "text/plain; charset=utf-8", statusCode: StatusCodes.Status500InternalServerError);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving health and metrics on {Url}")]
    private static partial void LogListening(ILogger logger, Uri url);
}
