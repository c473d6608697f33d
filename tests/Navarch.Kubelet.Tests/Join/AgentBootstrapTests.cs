using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.Extensions.Time.Testing;
using Navarch.Client;
using Navarch.Kubelet.Join;

namespace Navarch.Kubelet.Tests.Join;

public sealed class AgentBootstrapTests(JoinServerFixture server) : IClassFixture<JoinServerFixture>, IDisposable
{
    private readonly string _agentDir = Path.Combine(Path.GetTempPath(), "navarch-agent-" + Guid.NewGuid().ToString("N"));

    private string KubeconfigPath => Path.Combine(_agentDir, AgentBootstrap.KubeconfigFileName);

    [Fact]
    [UnsupportedOSPlatform("windows")] // file modes are a Unix notion
    public async Task EnsureKubeconfig_WithToken_WritesOwnerOnlyKubeconfigThatAuthenticatesAsNode()
    {
        var bootstrap = new AgentBootstrap(TimeProvider.System);

        var path = await bootstrap.EnsureKubeconfigAsync(server.ApiServer.Url!, server.ApiServer.NodeToken.Value, "n1", _agentDir, CancellationToken.None);

        Assert.Equal(KubeconfigPath, path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var certificate = ClientCertificateOf(path);
        Assert.Equal("system:node:n1", certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Contains("O=system:nodes", certificate.Subject, StringComparison.Ordinal);
        using var client = KubeClientFactory.FromKubeconfig(path, ClientRateLimit.Unlimited);
        var nodes = await client.CoreV1.ListNodeAsync();
        Assert.NotNull(nodes.Items);
    }

    [Fact]
    public async Task EnsureKubeconfig_OnRestart_ReusesValidCertificate()
    {
        var bootstrap = new AgentBootstrap(TimeProvider.System);
        await bootstrap.EnsureKubeconfigAsync(server.ApiServer.Url!, server.ApiServer.NodeToken.Value, "n1", _agentDir, CancellationToken.None);
        var first = await File.ReadAllTextAsync(KubeconfigPath);

        await bootstrap.EnsureKubeconfigAsync(server.ApiServer.Url!, server.ApiServer.NodeToken.Value, "n1", _agentDir, CancellationToken.None);

        Assert.Equal(first, await File.ReadAllTextAsync(KubeconfigPath));
    }

    [Fact]
    public async Task EnsureKubeconfig_ForAnotherNodeName_IssuesNewCertificate()
    {
        var bootstrap = new AgentBootstrap(TimeProvider.System);
        await bootstrap.EnsureKubeconfigAsync(server.ApiServer.Url!, server.ApiServer.NodeToken.Value, "n1", _agentDir, CancellationToken.None);

        await bootstrap.EnsureKubeconfigAsync(server.ApiServer.Url!, server.ApiServer.NodeToken.Value, "n2", _agentDir, CancellationToken.None);

        using var certificate = ClientCertificateOf(KubeconfigPath);
        Assert.Equal("system:node:n2", certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
    }

    [Fact]
    public async Task EnsureKubeconfig_NearExpiry_IssuesNewCertificate()
    {
        await new AgentBootstrap(TimeProvider.System)
            .EnsureKubeconfigAsync(server.ApiServer.Url!, server.ApiServer.NodeToken.Value, "n1", _agentDir, CancellationToken.None);
        var first = await File.ReadAllTextAsync(KubeconfigPath);
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromDays(340));

        await new AgentBootstrap(later)
            .EnsureKubeconfigAsync(server.ApiServer.Url!, server.ApiServer.NodeToken.Value, "n1", _agentDir, CancellationToken.None);

        Assert.NotEqual(first, await File.ReadAllTextAsync(KubeconfigPath));
    }

    [Fact]
    public async Task EnsureKubeconfig_WithTokenForAnotherCa_RefusesAndWritesNothing()
    {
        var token = server.ApiServer.NodeToken;
        var otherHash = new string('0', 64);
        var forged = $"K10{otherHash}::server:{token.Secret}";

        var error = await Assert.ThrowsAsync<JoinException>(() => new AgentBootstrap(TimeProvider.System)
            .EnsureKubeconfigAsync(server.ApiServer.Url!, forged, "n1", _agentDir, CancellationToken.None));

        Assert.Contains("token CA hash does not match", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(KubeconfigPath));
    }

    [Fact]
    public async Task EnsureKubeconfig_WithWrongSecret_Fails()
    {
        var wrong = $"K10{server.ApiServer.NodeToken.CaHash}::server:not-the-secret";

        var error = await Assert.ThrowsAsync<JoinException>(() => new AgentBootstrap(TimeProvider.System)
            .EnsureKubeconfigAsync(server.ApiServer.Url!, wrong, "n1", _agentDir, CancellationToken.None));

        Assert.Contains("refused the join token", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(KubeconfigPath));
    }

    [Theory]
    [InlineData("just-a-secret")]
    [InlineData("K10abc::server:secret")]
    public async Task EnsureKubeconfig_WithoutCaHashInToken_Refuses(string token)
    {
        await Assert.ThrowsAsync<FormatException>(() => new AgentBootstrap(TimeProvider.System)
            .EnsureKubeconfigAsync(server.ApiServer.Url!, token, "n1", _agentDir, CancellationToken.None));
    }

    public void Dispose()
    {
        if (Directory.Exists(_agentDir))
        {
            Directory.Delete(_agentDir, recursive: true);
        }
    }

    private static X509Certificate2 ClientCertificateOf(string kubeconfigPath)
    {
        var config = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(kubeconfigPath));
        var data = config.Users.Single().UserCredentials.ClientCertificateData;
        return X509Certificate2.CreateFromPem(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data)));
    }
}
