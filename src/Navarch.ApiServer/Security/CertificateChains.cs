using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.ApiServer.Security;

/// <summary>Checks that a certificate chains to one given CA and no other root.</summary>
internal static class CertificateChains
{
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    /// <summary>
    /// True when <paramref name="certificate"/> was issued by <paramref name="ca"/>, is valid at <paramref name="now"/>
    /// and carries <paramref name="usage"/>. Only <paramref name="ca"/> is trusted (not the system store), and
    /// revocation is not checked: like kube-apiserver, the cluster CA publishes no revocation list.
    /// </summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 ca, DateTimeOffset now, Oid usage)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(ca);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        policy.VerificationFlags = X509VerificationFlags.NoFlag;
        policy.ApplicationPolicy.Add(usage);

        if (!chain.Build(certificate))
        {
            return false;
        }

        // The custom trust store holds only our CA, so a built chain ends there; check anyway so a future change to
        // the policy cannot silently widen trust.
        var root = chain.ChainElements[^1].Certificate;
        return root.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span);
    }
}
