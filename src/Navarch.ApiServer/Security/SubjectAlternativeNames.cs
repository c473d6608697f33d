using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.ApiServer.Security;

/// <summary>The DNS names and IP addresses of a serving certificate, compared as sets.</summary>
internal sealed class SubjectAlternativeNames
{
    /// <summary>
    /// Names clients use to reach the API server from inside the cluster, as kube-apiserver puts in its certificate;
    /// 10.43.0.1 is the <c>kubernetes</c> service's address (first of the 10.43.0.0/16 service CIDR, as in k3s).
    /// </summary>
    private static readonly string[] ClusterNames =
    [
        "localhost",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
        "127.0.0.1",
        "::1",
        "10.43.0.1",
    ];

    private readonly SortedSet<string> _dnsNames = new(StringComparer.Ordinal);
    private readonly HashSet<IPAddress> _ipAddresses = [];

    public IReadOnlySet<string> DnsNames => _dnsNames;

    public IReadOnlySet<IPAddress> IpAddresses => _ipAddresses;

    /// <summary>
    /// The names the serving certificate must hold on this machine: the fixed cluster names, the host name, every
    /// non-loopback address of the interfaces that are up (IPv6 link-local excluded: it is useless without a scope),
    /// and <paramref name="extra"/>.
    /// </summary>
    public static SubjectAlternativeNames ForThisMachine(IEnumerable<string> extra)
    {
        var names = new SubjectAlternativeNames();
        foreach (var name in ClusterNames)
        {
            names.Add(name);
        }

        names.Add(Dns.GetHostName());
        foreach (var address in LocalAddresses())
        {
            names.Add(address);
        }

        foreach (var name in extra)
        {
            names.Add(name);
        }

        return names;
    }

    /// <summary>Reads the names of an existing certificate; empty when it has no SAN extension.</summary>
    public static SubjectAlternativeNames FromCertificate(X509Certificate2 certificate)
    {
        var names = new SubjectAlternativeNames();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                foreach (var dns in san.EnumerateDnsNames())
                {
                    names.Add(dns);
                }

                foreach (var ip in san.EnumerateIPAddresses())
                {
                    names.Add(ip);
                }
            }
        }

        return names;
    }

    /// <summary>Adds a name: an IP address when it parses as one, otherwise a DNS name (lower-cased).</summary>
    public void Add(string name)
    {
        var trimmed = name.Trim();
        if (trimmed.Length == 0)
        {
            return;
        }

        if (IPAddress.TryParse(trimmed.Trim('[', ']'), out var address))
        {
            Add(address);
        }
        else
        {
            _dnsNames.Add(trimmed.ToLowerInvariant());
        }
    }

    public void Add(IPAddress address)
    {
        // Drop the IPv6 scope id and IPv4-mapped forms so an address compares equal to what is read back.
        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : new IPAddress(address.GetAddressBytes());
        _ipAddresses.Add(normalized);
    }

    public bool SetEquals(SubjectAlternativeNames other) =>
        _dnsNames.SetEquals(other._dnsNames) && _ipAddresses.SetEquals(other._ipAddresses);

    public X509SubjectAlternativeNameExtension ToExtension()
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (var dns in _dnsNames)
        {
            builder.AddDnsName(dns);
        }

        foreach (var ip in _ipAddresses.OrderBy(a => a.AddressFamily).ThenBy(a => a.ToString(), StringComparer.Ordinal))
        {
            builder.AddIpAddress(ip);
        }

        return new X509SubjectAlternativeNameExtension(builder.Build().RawData);
    }

    private static IEnumerable<IPAddress> LocalAddresses()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }

            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var address = unicast.Address;
                if (IPAddress.IsLoopback(address)
                    || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv6LinkLocal))
                {
                    continue;
                }

                yield return address;
            }
        }
    }
}
