using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.Kubelet.Server;

/// <summary>
/// Lets in only client certificates that chain to the cluster CA and name the API server (the kubelet's
/// <c>--client-ca-file</c> authentication with <c>--anonymous-auth=false</c>, plus the one identity the kubelet's
/// webhook authorization would allow here). Missing or untrusted certificates are 401, any other identity 403.
/// </summary>
internal sealed class ClientCertificateAuthorizer : IDisposable
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private readonly X509Certificate2Collection _roots;
    private readonly string _allowedName;

    public ClientCertificateAuthorizer(X509Certificate2Collection roots, string allowedName)
    {
        if (roots.Count == 0)
        {
            throw new ArgumentException("The client CA holds no certificate.", nameof(roots));
        }

        _roots = roots;
        _allowedName = allowedName;
    }

    /// <summary>Reads the CA from PEM text or, when that is null, from a PEM file.</summary>
    public static X509Certificate2Collection LoadRoots(string? pem, string? file)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(pem ?? File.ReadAllText(file ?? throw new ArgumentException("No client CA given.")));
        return roots;
    }

    /// <summary>The outcome for a connection's certificate: null when allowed, else the status code and message.</summary>
    public (int Code, string Message)? Check(X509Certificate2? certificate, string verb, string subresource)
    {
        if (certificate is null || !Chains(certificate))
        {
            return (401, "Unauthorized");
        }

        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (!string.Equals(name, _allowedName, StringComparison.Ordinal))
        {
            // The kubelet's authorizer message for a denied nodes/<subresource> check.
            return (403, $"Forbidden (user={name}, verb={verb}, resource=nodes, subresource={subresource})");
        }

        return null;
    }

    private bool Chains(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        try
        {
            return chain.Build(certificate);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var root in _roots)
        {
            root.Dispose();
        }
    }
}
