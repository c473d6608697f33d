using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.ApiServer.Security;

/// <summary>
/// The cluster's PKI under <c>&lt;dataDir&gt;/server/tls/</c>: a self-signed CA, the API server's serving certificate and
/// the admin client certificate, all PEM. Like k3s, files are reused on restart so kubeconfigs issued earlier keep
/// working; leaf certificates are reissued when missing, not from this CA, near expiry, or (serving) when the set of
/// names changed.
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    public const string CaCertificateFile = "ca.crt";
    public const string CaKeyFile = "ca.key";
    public const string ServingCertificateFile = "serving-kube-apiserver.crt";
    public const string ServingKeyFile = "serving-kube-apiserver.key";
    public const string AdminCertificateFile = "client-admin.crt";
    public const string AdminKeyFile = "client-admin.key";
    public const string KubeletClientCertificateFile = "client-kube-apiserver-kubelet.crt";
    public const string KubeletClientKeyFile = "client-kube-apiserver-kubelet.key";

    /// <summary>
    /// The API server's identity towards kubelets (pods/log, exec, attach, portforward), as kubeadm names it; the
    /// kubelet API accepts only this CN from the cluster CA.
    /// </summary>
    public const string KubeletClientUserName = "kube-apiserver-kubelet-client";

    /// <summary>The admin identity, as in k3s and kubeadm: in <c>system:masters</c>, which RBAC lets do anything.</summary>
    public const string AdminUserName = "system:admin";
    public const string AdminGroup = "system:masters";

    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(365);

    /// <summary>Leaf certificates closer than this to expiry are reissued at start, as k3s does.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(90);

    private readonly ECDsa _caKey;
    private readonly TimeProvider _timeProvider;

    private ClusterCertificates(
        string tlsDirectory,
        X509Certificate2 caCertificate,
        ECDsa caKey,
        X509Certificate2 servingCertificate,
        CertificateAndKeyPem adminClient,
        CertificateAndKeyPem kubeletClient,
        TimeProvider timeProvider)
    {
        TlsDirectory = tlsDirectory;
        CaCertificate = caCertificate;
        CaCertificatePem = caCertificate.ExportCertificatePem() + "\n";
        _caKey = caKey;
        ServingCertificate = servingCertificate;
        AdminClient = adminClient;
        KubeletClient = kubeletClient;
        _timeProvider = timeProvider;
    }

    /// <summary>The directory holding the files, <c>&lt;dataDir&gt;/server/tls</c>.</summary>
    public string TlsDirectory { get; }

    /// <summary>The CA certificate (public part only): the one root clients and this server trust.</summary>
    public X509Certificate2 CaCertificate { get; }

    public string CaCertificatePem { get; }

    /// <summary>The serving certificate with its private key, ready for Kestrel.</summary>
    public X509Certificate2 ServingCertificate { get; }

    /// <summary>The admin client certificate (CN system:admin, O system:masters), for the admin kubeconfig.</summary>
    public CertificateAndKeyPem AdminClient { get; }

    /// <summary>
    /// The client certificate the API server presents to kubelets (CN kube-apiserver-kubelet-client, O system:masters).
    /// </summary>
    public CertificateAndKeyPem KubeletClient { get; }

    /// <summary>
    /// Loads the PKI from <c>&lt;dataDirectory&gt;/server/tls</c>, creating or reissuing what is missing or stale.
    /// </summary>
    /// <param name="dataDirectory">The data dir (e.g. /var/lib/navarch).</param>
    /// <param name="extraSubjectAlternativeNames">Further names for the serving certificate (like k3s' --tls-san):
    /// IP addresses when they parse as one, DNS names otherwise.</param>
    /// <param name="timeProvider">Clock for validity windows; the system clock when null.</param>
    /// <exception cref="InvalidDataException">The CA certificate exists but its key is missing or does not match.</exception>
    public static async Task<ClusterCertificates> LoadOrCreateAsync(
        string dataDirectory,
        IEnumerable<string>? extraSubjectAlternativeNames = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var time = timeProvider ?? TimeProvider.System;
        var tlsDirectory = Path.Combine(Path.GetFullPath(dataDirectory), "server", "tls");
        SecureFile.EnsureDirectory(tlsDirectory);

        var (ca, caKey) = await LoadOrCreateCaAsync(tlsDirectory, time, cancellationToken).ConfigureAwait(false);
        try
        {
            var names = SubjectAlternativeNames.ForThisMachine(extraSubjectAlternativeNames ?? []);
            var serving = await LoadOrIssueLeafAsync(
                tlsDirectory, ServingCertificateFile, ServingKeyFile, ca, caKey, time,
                CertificateChains.ServerAuth,
                existing => SubjectAlternativeNames.FromCertificate(existing).SetEquals(names),
                () => BuildServingSubject(), names.ToExtension(), cancellationToken).ConfigureAwait(false);

            var admin = await LoadOrIssueLeafAsync(
                tlsDirectory, AdminCertificateFile, AdminKeyFile, ca, caKey, time,
                CertificateChains.ClientAuth,
                _ => true,
                () => CertificateFactory.ClientSubject(AdminUserName, [AdminGroup]), null, cancellationToken).ConfigureAwait(false);

            var kubeletClient = await LoadOrIssueLeafAsync(
                tlsDirectory, KubeletClientCertificateFile, KubeletClientKeyFile, ca, caKey, time,
                CertificateChains.ClientAuth,
                _ => true,
                () => CertificateFactory.ClientSubject(KubeletClientUserName, [AdminGroup]), null, cancellationToken).ConfigureAwait(false);

            return new ClusterCertificates(tlsDirectory, ca, caKey, serving.ToCertificate(), admin, kubeletClient, time);
        }
        catch
        {
            ca.Dispose();
            caKey.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Issues a client certificate signed by the cluster CA: <paramref name="commonName"/> becomes the user name and
    /// each of <paramref name="organizations"/> a group, as kube-apiserver's x509 authenticator reads them. Nothing is
    /// written to disk; the caller keeps the result (e.g. in a component's kubeconfig).
    /// </summary>
    public CertificateAndKeyPem IssueClientCertificate(string commonName, IReadOnlyList<string> organizations, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrEmpty(commonName);
        ArgumentNullException.ThrowIfNull(organizations);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = CertificateFactory.IssueLeaf(
            CaCertificate, _caKey, CertificateFactory.ClientSubject(commonName, organizations), key,
            CertificateChains.ClientAuth, null, _timeProvider.GetUtcNow(), lifetime);
        return CertificateFactory.ToPem(certificate, key);
    }

    public void Dispose()
    {
        CaCertificate.Dispose();
        ServingCertificate.Dispose();
        _caKey.Dispose();
    }

    private static X500DistinguishedName BuildServingSubject()
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName("kube-apiserver");
        return builder.Build();
    }

    private static async Task<(X509Certificate2 Certificate, ECDsa Key)> LoadOrCreateCaAsync(
        string tlsDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        var certificatePath = Path.Combine(tlsDirectory, CaCertificateFile);
        var keyPath = Path.Combine(tlsDirectory, CaKeyFile);

        if (File.Exists(certificatePath))
        {
            if (!File.Exists(keyPath))
            {
                // Making a new CA here would silently invalidate every kubeconfig and node; make the operator decide.
                throw new InvalidDataException(
                    $"CA certificate {certificatePath} exists but its key {keyPath} is missing; restore the key or remove both to create a new CA.");
            }

            var certificatePem = await File.ReadAllTextAsync(certificatePath, cancellationToken).ConfigureAwait(false);
            var keyPem = await File.ReadAllTextAsync(keyPath, cancellationToken).ConfigureAwait(false);
            var certificate = X509Certificate2.CreateFromPem(certificatePem);
            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(keyPem);
                using var publicKey = certificate.GetECDsaPublicKey();
                if (publicKey is null
                    || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
                {
                    throw new InvalidDataException($"CA key {keyPath} does not match certificate {certificatePath}.");
                }
            }
            catch
            {
                certificate.Dispose();
                key.Dispose();
                throw;
            }

            return (certificate, key);
        }

        // No certificate: first start, or a crash after writing the key (written first) but before the certificate.
        var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ca = CertificateFactory.CreateCa(newKey, time.GetUtcNow(), CaLifetime);
        var pem = CertificateFactory.ToPem(ca, newKey);
        await SecureFile.WriteAtomicAsync(keyPath, pem.PrivateKeyPem, SecureFile.PrivateMode, cancellationToken).ConfigureAwait(false);
        await SecureFile.WriteAtomicAsync(certificatePath, pem.CertificatePem, SecureFile.PublicMode, cancellationToken).ConfigureAwait(false);

        // Keep only the public part in the certificate object; the key is held (and used for signing) separately.
        var publicOnly = X509CertificateLoader.LoadCertificate(ca.RawData);
        ca.Dispose();
        return (publicOnly, newKey);
    }

    private static async Task<CertificateAndKeyPem> LoadOrIssueLeafAsync(
        string tlsDirectory,
        string certificateFile,
        string keyFile,
        X509Certificate2 ca,
        ECDsa caKey,
        TimeProvider time,
        Oid usage,
        Func<X509Certificate2, bool> stillMatches,
        Func<X500DistinguishedName> subject,
        X509SubjectAlternativeNameExtension? alternativeNames,
        CancellationToken cancellationToken)
    {
        var certificatePath = Path.Combine(tlsDirectory, certificateFile);
        var keyPath = Path.Combine(tlsDirectory, keyFile);
        var now = time.GetUtcNow();

        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            var existing = new CertificateAndKeyPem(
                await File.ReadAllTextAsync(certificatePath, cancellationToken).ConfigureAwait(false),
                await File.ReadAllTextAsync(keyPath, cancellationToken).ConfigureAwait(false));
            if (IsReusable(existing, ca, now, usage, stillMatches))
            {
                return existing;
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = CertificateFactory.IssueLeaf(ca, caKey, subject(), key, usage, alternativeNames, now, LeafLifetime);
        var pem = CertificateFactory.ToPem(issued, key);
        await SecureFile.WriteAtomicAsync(keyPath, pem.PrivateKeyPem, SecureFile.PrivateMode, cancellationToken).ConfigureAwait(false);
        await SecureFile.WriteAtomicAsync(certificatePath, pem.CertificatePem, SecureFile.PublicMode, cancellationToken).ConfigureAwait(false);
        return pem;
    }

    private static bool IsReusable(
        CertificateAndKeyPem pem, X509Certificate2 ca, DateTimeOffset now, Oid usage, Func<X509Certificate2, bool> stillMatches)
    {
        X509Certificate2 certificate;
        try
        {
            // Fails when the files are damaged or the key does not belong to the certificate: reissue then.
            certificate = X509Certificate2.CreateFromPem(pem.CertificatePem, pem.PrivateKeyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return false;
        }

        using (certificate)
        {
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            return notAfter - now > RenewBefore
                && CertificateChains.IsIssuedBy(certificate, ca, now, usage)
                && stillMatches(certificate);
        }
    }
}
