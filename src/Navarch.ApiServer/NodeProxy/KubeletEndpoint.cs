using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>Where a node's kubelet API listens: the node address kube-apiserver would pick and the kubelet's port.</summary>
internal sealed record KubeletEndpoint(string Host, int Port)
{
    /// <summary>The <c>host:port</c> authority, with IPv6 addresses in brackets.</summary>
    public string Authority => (IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
        ? $"[{Host}]"
        : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>An https URL on the kubelet for <paramref name="pathAndQuery"/> (which starts with a slash).</summary>
    public Uri UriFor(string pathAndQuery) => new($"https://{Authority}{pathAndQuery}");
}
