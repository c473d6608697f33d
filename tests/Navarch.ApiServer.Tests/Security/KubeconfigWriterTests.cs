using System.Runtime.Versioning;
using k8s;
using Navarch.ApiServer.Security;

namespace Navarch.ApiServer.Tests.Security;

public sealed class KubeconfigWriterTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    [UnsupportedOSPlatform("windows")] // file modes are a Unix notion
    public async Task Write_CreatesOwnerOnlyFileThatKubernetesClientReads()
    {
        using var certificates = await ClusterCertificates.LoadOrCreateAsync(_directory.Path);
        var path = Path.Combine(_directory.Path, "nested", "dir", "kubeconfig.yaml");

        await KubeconfigWriter.WriteAsync(path, new Uri("https://127.0.0.1:6443"), certificates.CaCertificatePem, certificates.AdminClient);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        Assert.Equal("https://127.0.0.1:6443", config.Host);
        Assert.Equal("default", config.CurrentContext);
        Assert.Equal(certificates.CaCertificate.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
        Assert.Equal(
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(certificates.AdminClient.CertificatePem)),
            config.ClientCertificateData);
    }

    [Fact]
    public async Task Write_OverExistingFile_ReplacesItWholeAndLeavesNoTemporaryFile()
    {
        using var certificates = await ClusterCertificates.LoadOrCreateAsync(_directory.Path);
        var path = Path.Combine(_directory.Path, "kubeconfig.yaml");
        await File.WriteAllTextAsync(path, new string('x', 100_000));

        await KubeconfigWriter.WriteAsync(path, new Uri("https://[::1]:6443/"), certificates.CaCertificatePem, certificates.AdminClient);

        var text = await File.ReadAllTextAsync(path);
        Assert.StartsWith("apiVersion: v1\n", text, StringComparison.Ordinal);
        Assert.Contains("server: \"https://[::1]:6443\"\n", text, StringComparison.Ordinal);
        Assert.InRange(text.Length, 100, 10_000);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Equal([path], Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void Build_WithHttpUrl_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            KubeconfigWriter.Build(new Uri("http://127.0.0.1:6443"), "pem", new CertificateAndKeyPem("c", "k")));
    }
}
