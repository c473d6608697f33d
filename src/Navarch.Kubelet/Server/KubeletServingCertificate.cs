using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.Kubelet.Server;

/// <summary>
/// The kubelet's self-signed serving certificate, as the kubelet makes <c>kubelet.crt</c>/<c>kubelet.key</c> when no
/// <c>--tls-cert-file</c> is given: subject <c>&lt;node&gt;@&lt;unix time&gt;</c>, kept on disk and reused while it is
/// valid for the same names, so the certificate does not change at every restart.
/// </summary>
internal static class KubeletServingCertificate
{
    public const string CertificateFile = "kubelet.crt";
    public const string KeyFile = "kubelet.key";

    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public static X509Certificate2 LoadOrCreate(string directory, string nodeName, IReadOnlyList<IPAddress> addresses, TimeProvider time)
    {
        Directory.CreateDirectory(directory);
        var certificatePath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);
        var now = time.GetUtcNow();
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            try
            {
                var existing = Load(certificatePath, keyPath);
                if (existing.NotAfter.ToUniversalTime() - RenewBefore > now.UtcDateTime && Covers(existing, nodeName, addresses))
                {
                    return existing;
                }

                existing.Dispose();
            }
            catch (CryptographicException)
            {
                // A damaged pair is replaced below, as a missing one is.
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeName}@{now.ToUnixTimeSeconds()}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now + Lifetime);

        WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, created.ExportCertificatePem());
        return Load(certificatePath, keyPath);
    }

    private static X509Certificate2 Load(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // Round-trip through PKCS#12 so SslStream can use the private key on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static bool Covers(X509Certificate2 certificate, string nodeName, IReadOnlyList<IPAddress> addresses)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (extension is null) return false;
        var dns = extension.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ips = extension.EnumerateIPAddresses().ToHashSet();
        return dns.Contains(nodeName) && addresses.All(ips.Contains);
    }

    private static void WritePrivate(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}
