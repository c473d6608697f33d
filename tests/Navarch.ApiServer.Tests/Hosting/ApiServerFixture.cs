using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.ApiServer.Hosting;

namespace Navarch.ApiServer.Tests.Hosting;

/// <summary>A real API server on a free port with a temporary data dir, and an HTTPS client with the admin certificate.</summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "navarch-apiserver-" + Guid.NewGuid().ToString("N"));
    private ApiServerHost? _host;

    public HttpClient Client { get; private set; } = null!;

    public ApiServerHost Host => _host ?? throw new InvalidOperationException("not started");

    /// <summary>The admin kubeconfig the server wrote into its data dir, for running the real kubectl against it.</summary>
    public string KubeconfigPath => Path.Combine(_dataDir, "kubeconfig.yaml");

    public async Task InitializeAsync()
    {
        _host = new ApiServerHost(
            new ApiServerOptions { DataDir = _dataDir, HttpsPort = 0, BindAddress = System.Net.IPAddress.Loopback },
            NullLoggerFactory.Instance,
            TimeProvider.System);
        await _host.StartAsync(CancellationToken.None);
        var ca = _host.Certificates.CaCertificate;
        var handler = new HttpClientHandler
        {
            ClientCertificateOptions = ClientCertificateOption.Manual,
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return cert is not null && chain.Build(cert);
            },
        };
        handler.ClientCertificates.Add(_host.Certificates.AdminClient.ToCertificate());
        // HTTP/2 as kubectl speaks it: an early 413 then resets one stream instead of breaking a connection mid-upload.
        Client = new HttpClient(handler)
        {
            BaseAddress = _host.Url,
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public async Task<(int Code, JsonNode? Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Version = System.Net.HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_host is not null)
        {
            await _host.StopAsync(CancellationToken.None);
            await _host.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
