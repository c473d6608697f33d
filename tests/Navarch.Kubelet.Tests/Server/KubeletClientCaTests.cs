using System.Security.Cryptography.X509Certificates;
using Navarch.Kubelet.Join;
using Navarch.Kubelet.Server;

namespace Navarch.Kubelet.Tests.Server;

public sealed class KubeletClientCaTests
{
    [Fact]
    public void FromKubeconfig_ReturnsTheClusterCaAnAgentJoinedWith()
    {
        using var ca = new TestCertificateAuthority("cluster-ca");
        using var client = ca.IssueClient("system:node:n", "system:nodes");
        using var key = client.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the issued certificate has no EC key");
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, AgentKubeconfig.Build(
                new Uri("https://127.0.0.1:6443"), new NodeCredentials(client.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), ca.CertificatePem)));

            var pem = KubeletClientCa.FromKubeconfig(path);

            Assert.NotNull(pem);
            Assert.Equal(ca.CertificatePem.Trim(), pem.Trim());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
