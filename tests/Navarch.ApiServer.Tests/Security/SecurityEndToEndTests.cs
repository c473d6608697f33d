using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Security;

namespace Navarch.ApiServer.Tests.Security;

/// <summary>A real Kestrel server on a free loopback port with the cluster's HTTPS settings and authentication.</summary>
public sealed class SecurityEndToEndTests : IAsyncLifetime
{
    private const string UnauthorizedStatus =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""";

    private const string JoinToken = "K10join-token-for-tests";

    private readonly TemporaryDirectory _dataDir = new();
    private readonly TemporaryDirectory _otherDataDir = new();
    private ClusterCertificates _certificates = null!; // set in InitializeAsync, before any test runs
    private WebApplication _app = null!;
    private Uri _baseAddress = null!;

    public async Task InitializeAsync()
    {
        _certificates = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path);
        var authenticator = new ClientCertificateAuthenticator(_certificates.CaCertificate);
        var options = new ApiAuthenticationOptions
        {
            BearerTokens = new Dictionary<string, UserInfo> { [JoinToken] = new("node-joiner", ["system:bootstrappers"]) },
        };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseClusterHttps(_certificates, authenticator)));
        _app = builder.Build();
        _app.UseApiAuthentication(authenticator, options);
        _app.MapGet("/hello", (HttpContext context) =>
        {
            var user = context.GetUser();
            return $"hello {user?.Name} [{string.Join(",", user?.Groups ?? [])}]";
        });
        _app.MapGet("/healthz", () => "ok");
        _app.MapGet("/readyz/ping", () => "ok");

        using var started = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _app.StartAsync(started.Token);
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel reports no addresses");
        var address = addresses.Addresses.Single();
        _baseAddress = new Uri(address);
    }

    public async Task DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
        _certificates.Dispose();
        _dataDir.Dispose();
        _otherDataDir.Dispose();
    }

    [Fact]
    public async Task Request_WithAdminClientCertificate_IsServedAsSystemAdmin()
    {
        using var certificate = _certificates.AdminClient.ToCertificate();
        using var client = CreateClient(certificate);

        using var response = await client.GetAsync(new Uri(_baseAddress, "/hello"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello system:admin [system:masters,system:authenticated]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_WithoutCredentials_Gets401WithKubernetesStatus()
    {
        using var client = CreateClient(null);

        using var response = await client.GetAsync(new Uri(_baseAddress, "/hello"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(UnauthorizedStatus, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz/ping")]
    public async Task AnonymousPath_WithoutCredentials_IsServed(string path)
    {
        using var client = CreateClient(null);

        using var response = await client.GetAsync(new Uri(_baseAddress, path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_WithKnownBearerToken_IsServedAsTokenUser()
    {
        using var client = CreateClient(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", JoinToken);

        using var response = await client.GetAsync(new Uri(_baseAddress, "/hello"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello node-joiner [system:bootstrappers,system:authenticated]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnonymousPath_WithUnknownBearerToken_Gets401()
    {
        using var client = CreateClient(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");

        using var response = await client.GetAsync(new Uri(_baseAddress, "/healthz"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(UnauthorizedStatus, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_WithCertificateFromAnotherCa_FailsTheHandshake()
    {
        using var other = await ClusterCertificates.LoadOrCreateAsync(_otherDataDir.Path);
        using var foreign = other.AdminClient.ToCertificate();
        using var client = CreateClient(foreign);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_baseAddress, "/healthz")));
    }

    [Fact]
    public async Task Kubectl_WithWrittenKubeconfig_TrustsCaAndPresentsAdminCertificate()
    {
        const string kubectl = "/usr/bin/kubectl";
        Assert.True(File.Exists(kubectl), $"{kubectl} is required for this test");
        var kubeconfig = Path.Combine(_dataDir.Path, "kubeconfig.yaml");
        await KubeconfigWriter.WriteAsync(kubeconfig, _baseAddress, _certificates.CaCertificatePem, _certificates.AdminClient);

        var start = new ProcessStartInfo(kubectl, ["--kubeconfig", kubeconfig, "get", "--raw", "/hello"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["HOME"] = _dataDir.Path; // keep kubectl's cache out of the real home
        start.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"kubectl exited {process.ExitCode}: {await stderr}");
        Assert.Equal("hello system:admin [system:masters,system:authenticated]", (await stdout).Trim());
    }

    /// <summary>A client that trusts only the cluster CA and insists the server's name (127.0.0.1) is in its SANs.</summary>
    private HttpClient CreateClient(X509Certificate2? clientCertificate)
    {
        var ca = _certificates.CaCertificate;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
                    && certificate is X509Certificate2 server
                    && CertificateChains.IsIssuedBy(server, ca, DateTimeOffset.UtcNow, CertificateChains.ServerAuth),
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }
}
