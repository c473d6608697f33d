using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Navarch.ApiServer.Tests.NodeProxy;

/// <summary>
/// A small kubelet API stand-in: Kestrel over HTTPS with a self-signed certificate that requires a client certificate
/// (any; the test checks its subject). Logs answer "first" at once and "second" when <see cref="ReleaseSecondLine"/> is
/// called; exec and port-forward upgrades echo bytes; a WebSocket upgrade is refused with 400, as a kubelet that
/// speaks only SPDY would; a container named "broken" gets a 400 text error.
/// </summary>
public sealed class FakeKubelet : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _secondLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeKubelet(WebApplication app) => _app = app;

    public ConcurrentQueue<KubeletRequest> Requests { get; } = new();

    public int Port { get; private set; }

    /// <summary>Set when a following log request ended because the API server closed it.</summary>
    public TaskCompletionSource FollowEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _upgradesEnded = new();

    /// <summary>Completes when the upgraded (echo) connection whose request carried <c>X-Test-Session: session</c> has ended.</summary>
    public Task UpgradeEnded(string session) => Ended(session).Task;

    private TaskCompletionSource Ended(string session) =>
        _upgradesEnded.GetOrAdd(session, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void ReleaseSecondLine() => _secondLine.TrySetResult();

    private readonly TaskCompletionSource _secondPart = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets <c>/twoParts</c> write its second part.</summary>
    public void ReleaseSecondPart() => _secondPart.TrySetResult();

    public static async Task<FakeKubelet> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = SelfSigned();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (_, _, _) => true;
        })));
        var app = builder.Build();
        var kubelet = new FakeKubelet(app);
        app.Run(kubelet.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        kubelet.Port = new Uri(address).Port;
        return kubelet;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        Requests.Enqueue(new KubeletRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "",
            context.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false),
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        var path = request.Path.Value ?? "";
        if (await ProxyTargetsAsync(context, path))
        {
            return;
        }

        if (path.StartsWith("/containerLogs/", StringComparison.Ordinal))
        {
            await LogsAsync(context, path);
            return;
        }

        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("upgrade required");
            return;
        }

        if (request.Headers.Upgrade.ToString().Equals("websocket", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"websocket not supported","reason":"BadRequest","code":400}""");
            return;
        }

        context.Response.Headers["X-Stream-Protocol-Version"] = request.Headers["X-Stream-Protocol-Version"].ToString().Split(',')[0].Trim();
        context.Response.Headers.Upgrade = request.Headers.Upgrade.ToString();
        await using var stream = await upgrade.UpgradeAsync();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read));
                await stream.FlushAsync();
            }
        }
        catch (IOException)
        {
            // A reset is an end too.
        }

        Ended(request.Headers["X-Test-Session"].ToString()).TrySetResult();
    }

    /// <summary>
    /// Plain endpoints for nodes/proxy: <c>/healthz</c> (ok), <c>/stats/summary</c> (JSON), <c>/echo</c> (the method,
    /// query and body back, with a custom header) and <c>/twoParts</c> ("part1", then "part2" once released).
    /// </summary>
    private async Task<bool> ProxyTargetsAsync(HttpContext context, string path)
    {
        switch (path)
        {
            case "/healthz":
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok");
                return true;
            case "/stats/summary":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"node":{"nodeName":"n1"},"pods":[]}""");
                return true;
            case "/echo":
                using (var reader = new StreamReader(context.Request.Body))
                {
                    var body = await reader.ReadToEndAsync();
                    context.Response.StatusCode = 202;
                    context.Response.ContentType = "text/x-echo";
                    context.Response.Headers["X-Echo"] = "yes";
                    await context.Response.WriteAsync($"{context.Request.Method} {context.Request.QueryString.Value} {context.Request.ContentType} {body}");
                }

                return true;
            case "/twoParts":
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("part1\n");
                await context.Response.Body.FlushAsync();
                await _secondPart.Task.WaitAsync(context.RequestAborted);
                await context.Response.WriteAsync("part2\n");
                return true;
            default:
                return false;
        }
    }

    private async Task LogsAsync(HttpContext context, string path)
    {
        if (path.EndsWith("/broken", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("previous terminated container \"broken\" in pod \"p\" not found");
            return;
        }

        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("first\n");
        await context.Response.Body.FlushAsync();
        if (context.Request.Query["follow"] != "true")
        {
            return;
        }

        try
        {
            await _secondLine.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("second\n");
            await context.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            FollowEnded.TrySetResult();
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=fake-kubelet", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        _secondLine.TrySetResult();
        _secondPart.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
