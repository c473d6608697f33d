using System.Security.Cryptography.X509Certificates;
using Navarch.ApiServer.Security;
using Navarch.ApiServer.Tests.Security;

namespace Navarch.ApiServer.Tests.NodeProxy;

public sealed class KubeletClientCertificateTests
{
    [Fact]
    public async Task LoadOrCreate_IssuesTheKubeletClientIdentity_FromTheClusterCa()
    {
        using var directory = new TemporaryDirectory();
        using var certificates = await ClusterCertificates.LoadOrCreateAsync(directory.Path);
        using var certificate = certificates.KubeletClient.ToCertificate();

        Assert.Equal("CN=kube-apiserver-kubelet-client, O=system:masters", certificate.Subject);
        Assert.Equal(certificates.CaCertificate.Subject, certificate.Issuer);
        Assert.True(File.Exists(Path.Combine(certificates.TlsDirectory, ClusterCertificates.KubeletClientCertificateFile)));
        var usage = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Contains(usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.2");
    }

    [Fact]
    public async Task LoadOrCreate_ReusesTheKubeletClientCertificate_AcrossRestarts()
    {
        using var directory = new TemporaryDirectory();
        string first;
        using (var certificates = await ClusterCertificates.LoadOrCreateAsync(directory.Path))
        {
            first = certificates.KubeletClient.CertificatePem;
        }

        using var again = await ClusterCertificates.LoadOrCreateAsync(directory.Path);
        Assert.Equal(first, again.KubeletClient.CertificatePem);
    }
}
