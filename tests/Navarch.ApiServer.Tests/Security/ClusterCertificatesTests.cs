using System.Runtime.Versioning;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Navarch.ApiServer.Security;

namespace Navarch.ApiServer.Tests.Security;

public sealed class ClusterCertificatesTests : IDisposable
{
    private readonly TemporaryDirectory _dataDir = new();

    public void Dispose() => _dataDir.Dispose();

    private string Tls(string file) => Path.Combine(_dataDir.Path, "server", "tls", file);

    [Fact]
    public async Task LoadOrCreate_FirstStart_CreatesSelfSignedCaInK3sStyle()
    {
        using var certificates = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path);

        var ca = certificates.CaCertificate;
        Assert.Matches(@"^CN=navarch-ca@\d+$", ca.Subject);
        Assert.Equal(ca.Subject, ca.Issuer);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        using var publicKey = ca.GetECDsaPublicKey();
        Assert.NotNull(publicKey);
        Assert.Equal(256, publicKey.KeySize);
        Assert.InRange((ca.NotAfter - DateTime.Now).TotalDays, 3640, 3651);
        Assert.True(File.Exists(Tls(ClusterCertificates.CaCertificateFile)));
    }

    [Fact]
    public async Task LoadOrCreate_SecondStart_ReusesCaAndLeafCertificates()
    {
        string caThumbprint, servingThumbprint, adminPem;
        using (var first = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path))
        {
            caThumbprint = first.CaCertificate.Thumbprint;
            servingThumbprint = first.ServingCertificate.Thumbprint;
            adminPem = first.AdminClient.CertificatePem;
        }

        using var second = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path);

        Assert.Equal(caThumbprint, second.CaCertificate.Thumbprint);
        Assert.Equal(servingThumbprint, second.ServingCertificate.Thumbprint);
        Assert.Equal(adminPem, second.AdminClient.CertificatePem);
    }

    [Fact]
    public async Task LoadOrCreate_ServingCertificate_HoldsClusterNamesHostAndExtraSans()
    {
        using var certificates = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path, ["api.example.test", "192.0.2.77"]);

        var san = certificates.ServingCertificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        var dns = san.EnumerateDnsNames().ToHashSet();
        var ips = san.EnumerateIPAddresses().ToHashSet();
        string[] expectedDns =
        [
            "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local", "api.example.test", Dns.GetHostName().ToLowerInvariant(),
        ];
        Assert.Superset(expectedDns.ToHashSet(), dns);
        Assert.Superset(
            new[] { IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("10.43.0.1"), IPAddress.Parse("192.0.2.77") }.ToHashSet(),
            ips);
        Assert.True(certificates.ServingCertificate.HasPrivateKey);
        Assert.True(CertificateChains.IsIssuedBy(
            certificates.ServingCertificate, certificates.CaCertificate, DateTimeOffset.UtcNow, CertificateChains.ServerAuth));
    }

    [Fact]
    public async Task LoadOrCreate_WithChangedSans_ReissuesServingCertificateUnderSameCa()
    {
        string caThumbprint, servingThumbprint, adminPem;
        using (var first = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path))
        {
            caThumbprint = first.CaCertificate.Thumbprint;
            servingThumbprint = first.ServingCertificate.Thumbprint;
            adminPem = first.AdminClient.CertificatePem;
        }

        using var second = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path, ["new-name.example.test"]);

        Assert.Equal(caThumbprint, second.CaCertificate.Thumbprint);
        Assert.NotEqual(servingThumbprint, second.ServingCertificate.Thumbprint);
        Assert.Contains("new-name.example.test",
            second.ServingCertificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Equal(adminPem, second.AdminClient.CertificatePem);
    }

    [Fact]
    public async Task LoadOrCreate_WhenLeafExpiresWithin90Days_ReissuesIt()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        string caThumbprint, servingThumbprint, adminPem;
        using (var first = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path, timeProvider: clock))
        {
            caThumbprint = first.CaCertificate.Thumbprint;
            servingThumbprint = first.ServingCertificate.Thumbprint;
            adminPem = first.AdminClient.CertificatePem;
        }

        clock.Now += TimeSpan.FromDays(200);
        using (var stillFresh = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path, timeProvider: clock))
        {
            Assert.Equal(servingThumbprint, stillFresh.ServingCertificate.Thumbprint);
        }

        clock.Now += TimeSpan.FromDays(100); // 65 days left of 365
        using var renewed = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path, timeProvider: clock);

        Assert.Equal(caThumbprint, renewed.CaCertificate.Thumbprint);
        Assert.NotEqual(servingThumbprint, renewed.ServingCertificate.Thumbprint);
        Assert.NotEqual(adminPem, renewed.AdminClient.CertificatePem);
        Assert.True(renewed.ServingCertificate.NotAfter.ToUniversalTime() > (clock.Now + TimeSpan.FromDays(360)).UtcDateTime);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // file modes are a Unix notion
    public async Task LoadOrCreate_WritesPrivateKeysOwnerOnly()
    {
        using var certificates = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path);

        const UnixFileMode ownerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerReadWrite, File.GetUnixFileMode(Tls(ClusterCertificates.CaKeyFile)));
        Assert.Equal(ownerReadWrite, File.GetUnixFileMode(Tls(ClusterCertificates.ServingKeyFile)));
        Assert.Equal(ownerReadWrite, File.GetUnixFileMode(Tls(ClusterCertificates.AdminKeyFile)));
        Assert.Contains("PRIVATE KEY", await File.ReadAllTextAsync(Tls(ClusterCertificates.CaKeyFile)));
        Assert.DoesNotContain(Directory.GetFiles(Tls("")), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoadOrCreate_WithCaKeyMissing_FailsInsteadOfReplacingCa()
    {
        using (await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path))
        {
        }

        File.Delete(Tls(ClusterCertificates.CaKeyFile));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ClusterCertificates.LoadOrCreateAsync(_dataDir.Path));
        Assert.Contains(ClusterCertificates.CaKeyFile, error.Message);
    }

    [Fact]
    public async Task LoadOrCreate_AdminCertificate_IsSystemAdminInSystemMasters()
    {
        using var certificates = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path);
        using var admin = certificates.AdminClient.ToCertificate();

        var user = new ClientCertificateAuthenticator(certificates.CaCertificate).Authenticate(admin);

        Assert.NotNull(user);
        Assert.Equal("system:admin", user.Name);
        Assert.Equal(["system:masters", "system:authenticated"], user.Groups);
    }
}
