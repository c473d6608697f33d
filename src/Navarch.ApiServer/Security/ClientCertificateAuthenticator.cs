using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.ApiServer.Security;

/// <summary>
/// Authenticates client certificates as kube-apiserver's x509 authenticator does: the certificate must chain to the
/// cluster CA (and no other root), be within its validity window and allow client authentication; the subject's CN is
/// the user name and each O a group, plus <see cref="UserInfo.AuthenticatedGroup"/>.
/// </summary>
public sealed class ClientCertificateAuthenticator
{
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationOid = "2.5.4.10";

    private readonly X509Certificate2 _ca;
    private readonly TimeProvider _timeProvider;

    // A connection presents one certificate object for all its requests (HTTP/2 multiplexes many); remember the
    // verified identity per object so the chain is built once per connection, not once per request.
    private readonly ConditionalWeakTable<X509Certificate2, UserInfo> _verified = new();

    public ClientCertificateAuthenticator(X509Certificate2 ca, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(ca);
        _ca = ca;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>True when <paramref name="certificate"/> is a client certificate issued by the cluster CA and valid now.</summary>
    public bool IsTrusted(X509Certificate2 certificate) => Authenticate(certificate) is not null;

    /// <summary>The user the certificate names, or null when it is not trusted or names no user (empty CN).</summary>
    public UserInfo? Authenticate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var now = _timeProvider.GetUtcNow();

        if (_verified.TryGetValue(certificate, out var cached))
        {
            // The chain was verified already; only time can have made it invalid since.
            return IsWithinValidity(certificate, now) ? cached : null;
        }

        if (!CertificateChains.IsIssuedBy(certificate, _ca, now, CertificateChains.ClientAuth))
        {
            return null;
        }

        var user = ToUser(certificate);
        if (user is not null)
        {
            _verified.AddOrUpdate(certificate, user);
        }

        return user;
    }

    private static bool IsWithinValidity(X509Certificate2 certificate, DateTimeOffset now) =>
        now >= new DateTimeOffset(certificate.NotBefore.ToUniversalTime())
        && now <= new DateTimeOffset(certificate.NotAfter.ToUniversalTime());

    private static UserInfo? ToUser(X509Certificate2 certificate)
    {
        // Read the attributes in encoded order: groups keep their order and, as in Go's pkix.Name, the last CN wins.
        // (GetNameInfo is not used: it falls back to other attributes when there is no CN, and a user needs one.)
        string? commonName = null;
        var groups = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false))
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            var type = rdn.GetSingleElementType().Value;
            var value = rdn.GetSingleElementValue();
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (type == OrganizationOid)
            {
                groups.Add(value);
            }
            else if (type == CommonNameOid)
            {
                commonName = value;
            }
        }

        if (commonName is null)
        {
            return null;
        }

        groups.Add(UserInfo.AuthenticatedGroup);
        return new UserInfo(commonName, groups);
    }
}
