using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.ApiServer.Hosting;
using Navarch.ApiServer.NodeJoin;
using Navarch.ApiServer.Security;
using Navarch.ApiServer.Tests.Hosting;

namespace Navarch.ApiServer.Tests.NodeJoin;

public sealed class NodeJoinTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private const string NodeCertificatePath = "/v1-navarch/node-certificate";

    [Fact]
    [UnsupportedOSPlatform("windows")] // file modes are a Unix notion
    public async Task TokenFile_HasK3sFormatWithCaHashAndOwnerOnlyMode()
    {
        var path = Path.Combine(DataDirOf(server.Host), "server", "token");
        var text = (await File.ReadAllTextAsync(path)).Trim();
        var expectedHash = NodeToken.HashCa(server.Host.Certificates.CaCertificatePem);

        Assert.Equal(server.Host.NodeToken.Value, text);
        Assert.Matches("^K10[0-9a-f]{64}::server:[0-9a-f]{32}$", text);
        Assert.StartsWith("K10" + expectedHash + "::server:", text, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task CaCerts_WithoutCredentials_ReturnsCaWhoseHashIsInToken()
    {
        using var client = AnonymousClient();
        var body = await client.GetByteArrayAsync("/cacerts");

        Assert.Equal(server.Host.Certificates.CaCertificatePem, Encoding.UTF8.GetString(body));
        Assert.Equal(server.Host.NodeToken.CaHash, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)));
    }

    [Fact]
    public async Task NodeCertificate_WithToken_IssuesNodeIdentityThatAuthenticates()
    {
        using var client = AnonymousClient();
        var (code, body) = await PostAsync(client, server.Host.NodeToken.Secret, """{"nodeName":"n1"}""");

        Assert.Equal(200, code);
        Assert.Equal(server.Host.Certificates.CaCertificatePem, (string?)body!["ca"]);
        var pair = new CertificateAndKeyPem((string)body["certificate"]!, (string)body["key"]!);
        using var certificate = pair.ToCertificate();
        Assert.Equal("system:node:n1", certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Contains("O=system:nodes", certificate.Subject, StringComparison.Ordinal);
        Assert.InRange(certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromDays(364), TimeSpan.FromDays(366));

        using var nodeClient = AnonymousClient(certificate);
        using var response = await nodeClient.GetAsync("/api/v1/nodes");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("")]
    public async Task NodeCertificate_WithBadToken_Returns401Status(string secret)
    {
        using var client = AnonymousClient();
        var (code, body) = await PostAsync(client, secret, """{"nodeName":"n1"}""");

        Assert.Equal(401, code);
        Assert.Equal("Status", (string?)body!["kind"]);
        Assert.Equal("Unauthorized", (string?)body["reason"]);
    }

    [Fact]
    public async Task NodeCertificate_WithFullTokenInsteadOfSecret_Returns401()
    {
        using var client = AnonymousClient();
        var (code, _) = await PostAsync(client, server.Host.NodeToken.Value, """{"nodeName":"n1"}""");

        Assert.Equal(401, code);
    }

    [Theory]
    [InlineData("""{"nodeName":"Bad_Name"}""")]
    [InlineData("""{"nodeName":""}""")]
    [InlineData("""{}""")]
    [InlineData("""not json""")]
    public async Task NodeCertificate_WithBadName_Returns400Status(string requestBody)
    {
        using var client = AnonymousClient();
        var (code, body) = await PostAsync(client, server.Host.NodeToken.Secret, requestBody);

        Assert.Equal(400, code);
        Assert.Equal("Status", (string?)body!["kind"]);
        Assert.Equal("BadRequest", (string?)body["reason"]);
    }

    [Fact]
    public async Task Token_IsStableAcrossRestarts()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "navarch-token-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = await StartAndStopAsync(dataDir);
            var second = await StartAndStopAsync(dataDir);

            Assert.Equal(first, second);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<string> StartAndStopAsync(string dataDir)
    {
        await using var host = new ApiServerHost(
            new ApiServerOptions { DataDir = dataDir, HttpsPort = 0, BindAddress = IPAddress.Loopback },
            NullLoggerFactory.Instance,
            TimeProvider.System);
        await host.StartAsync(CancellationToken.None);
        var token = host.NodeToken.Value;
        await host.StopAsync(CancellationToken.None);
        return token;
    }

    private static async Task<(int Code, JsonNode? Body)> PostAsync(HttpClient client, string secret, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, NodeCertificatePath)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + secret);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private HttpClient AnonymousClient(X509Certificate2? clientCertificate = null)
    {
        var ca = server.Host.Certificates.CaCertificate;
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
        if (clientCertificate is not null)
        {
            handler.ClientCertificates.Add(clientCertificate);
        }

        return new HttpClient(handler) { BaseAddress = server.Host.Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The fixture's data dir, two levels above <c>server/tls</c>.</summary>
    private static string DataDirOf(ApiServerHost host) =>
        Path.GetDirectoryName(Path.GetDirectoryName(host.Certificates.TlsDirectory)!)!;
}
