using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.ApiServer.Hosting;

namespace Navarch.ApiServer.Tests.ServiceAccounts;

/// <summary>
/// A real API server over HTTPS on a free port, on a clock the test can move forward, with an admin client
/// (certificate) and clients that present bearer tokens or nothing.
/// </summary>
public sealed class TokenServer : IAsyncLifetime
{
    private readonly string _dataDir;
    private readonly bool _ownsDataDir;
    private ApiServerHost? _host;
    private HttpClient? _admin;

    public TokenServer()
        : this(Directory.CreateTempSubdirectory("navarch-sa-server-").FullName, ownsDataDir: true)
    {
    }

    internal TokenServer(string dataDir, bool ownsDataDir)
    {
        _dataDir = dataDir;
        _ownsDataDir = ownsDataDir;
    }

    internal TestClock Clock { get; } = new();

    public ApiServerHost Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _host = new ApiServerHost(
            new ApiServerOptions { DataDir = _dataDir, HttpsPort = 0, BindAddress = IPAddress.Loopback },
            NullLoggerFactory.Instance,
            Clock);
        await _host.StartAsync(CancellationToken.None);
        _admin = CreateClient(withAdminCertificate: true);
    }

    /// <summary>Sends as the admin (client certificate).</summary>
    public Task<(int Code, JsonNode? Body)> AdminAsync(HttpMethod method, string path, object? body = null) =>
        SendAsync(_admin ?? throw new InvalidOperationException("not started"), method, path, body, token: null);

    /// <summary>Sends with <c>Authorization: Bearer</c> <paramref name="token"/> (no certificate); null sends no credentials.</summary>
    public async Task<(int Code, JsonNode? Body)> BearerAsync(string? token, HttpMethod method, string path, object? body = null)
    {
        using var client = CreateClient(withAdminCertificate: false);
        return await SendAsync(client, method, path, body, token);
    }

    public async Task CreateNamespaceAsync(string name) =>
        Assert.Equal(201, (await AdminAsync(HttpMethod.Post, "/api/v1/namespaces", new { metadata = new { name } })).Code);

    /// <summary>Creates a service account and returns its UID.</summary>
    public async Task<string> CreateServiceAccountAsync(string ns, string name)
    {
        var (code, body) = await AdminAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts", new { metadata = new { name } });
        Assert.Equal(201, code);
        return (string)body!["metadata"]!["uid"]!;
    }

    /// <summary>Requests a token and returns the response; <paramref name="spec"/> is the TokenRequest's spec.</summary>
    public Task<(int Code, JsonNode? Body)> RequestTokenAsync(string ns, string serviceAccount, object? spec = null) =>
        AdminAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts/{serviceAccount}/token",
            new { apiVersion = "authentication.k8s.io/v1", kind = "TokenRequest", spec = spec ?? new { } });

    public async Task<string> TokenAsync(string ns, string serviceAccount, object? spec = null)
    {
        var (code, body) = await RequestTokenAsync(ns, serviceAccount, spec);
        Assert.True(code == 201, $"token request answered {code}: {body}");
        return (string)body!["status"]!["token"]!;
    }

    private HttpClient CreateClient(bool withAdminCertificate)
    {
        var ca = Host.Certificates.CaCertificate;
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
        if (withAdminCertificate)
        {
            handler.ClientCertificates.Add(Host.Certificates.AdminClient.ToCertificate());
        }

        return new HttpClient(handler) { BaseAddress = Host.Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static async Task<(int Code, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? parsed = null;
        if (text.Length > 0)
        {
            try
            {
                parsed = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                parsed = JsonValue.Create(text);
            }
        }

        return ((int)response.StatusCode, parsed);
    }

    public async Task DisposeAsync()
    {
        _admin?.Dispose();
        if (_host is not null)
        {
            await _host.StopAsync(CancellationToken.None);
            await _host.DisposeAsync();
        }

        if (_ownsDataDir)
        {
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
