using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Navarch.ApiServer.Security;

namespace Navarch.ApiServer.Tests.Security;

public sealed class ClientCertificateAuthenticatorTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _dataDir = new();
    private readonly TemporaryDirectory _otherDataDir = new();
    private ClusterCertificates _cluster = null!; // set in InitializeAsync, before any test runs
    private ClusterCertificates _otherCluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ClusterCertificates.LoadOrCreateAsync(_dataDir.Path);
        _otherCluster = await ClusterCertificates.LoadOrCreateAsync(_otherDataDir.Path);
    }

    public Task DisposeAsync()
    {
        _cluster.Dispose();
        _otherCluster.Dispose();
        _dataDir.Dispose();
        _otherDataDir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Authenticate_IssuedClientCertificate_MapsCommonNameToUserAndOrganizationsToGroups()
    {
        var pem = _cluster.IssueClientCertificate("system:node:worker-1", ["system:nodes", "team-a"], TimeSpan.FromDays(30));
        using var certificate = pem.ToCertificate();

        var user = new ClientCertificateAuthenticator(_cluster.CaCertificate).Authenticate(certificate);

        Assert.NotNull(user);
        Assert.Equal("system:node:worker-1", user.Name);
        Assert.Equal(["system:nodes", "team-a", UserInfo.AuthenticatedGroup], user.Groups);
    }

    [Fact]
    public void Authenticate_CertificateWithoutOrganizations_HasOnlyAuthenticatedGroup()
    {
        using var certificate = _cluster.IssueClientCertificate("system:kube-scheduler", [], TimeSpan.FromDays(1)).ToCertificate();

        var user = new ClientCertificateAuthenticator(_cluster.CaCertificate).Authenticate(certificate);

        Assert.Equal("system:kube-scheduler", user?.Name);
        Assert.Equal([UserInfo.AuthenticatedGroup], user?.Groups);
    }

    [Fact]
    public void Authenticate_CertificateFromAnotherCa_IsRejected()
    {
        using var foreign = _otherCluster.AdminClient.ToCertificate();
        var authenticator = new ClientCertificateAuthenticator(_cluster.CaCertificate);

        Assert.Null(authenticator.Authenticate(foreign));
        Assert.False(authenticator.IsTrusted(foreign));
    }

    [Fact]
    public void Authenticate_SelfSignedCertificateCopyingCaSubject_IsRejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(_cluster.CaCertificate.SubjectName, key, HashAlgorithmName.SHA256);
        using var impostorCa = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var forged = CertificateFactory.IssueLeaf(
            impostorCa, key, CertificateFactory.ClientSubject("system:admin", ["system:masters"]),
            ECDsa.Create(ECCurve.NamedCurves.nistP256), CertificateChains.ClientAuth, null, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));

        Assert.Null(new ClientCertificateAuthenticator(_cluster.CaCertificate).Authenticate(forged));
    }

    [Fact]
    public void Authenticate_ExpiredCertificate_IsRejected()
    {
        using var certificate = _cluster.IssueClientCertificate("alice", ["dev"], TimeSpan.FromDays(1)).ToCertificate();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var authenticator = new ClientCertificateAuthenticator(_cluster.CaCertificate, clock);
        Assert.NotNull(authenticator.Authenticate(certificate));

        clock.Now += TimeSpan.FromDays(2);

        Assert.Null(authenticator.Authenticate(certificate));
        Assert.Null(new ClientCertificateAuthenticator(_cluster.CaCertificate, clock).Authenticate(certificate));
    }

    [Fact]
    public void Authenticate_ServingCertificate_IsRejectedForLackOfClientAuthUsage()
    {
        var authenticator = new ClientCertificateAuthenticator(_cluster.CaCertificate);

        Assert.Null(authenticator.Authenticate(_cluster.ServingCertificate));
    }
}
