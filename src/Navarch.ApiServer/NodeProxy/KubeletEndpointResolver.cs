using k8s.Models;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// Finds a node's kubelet from its status, as kube-apiserver's node connection info does: the first address of the
/// preferred types, and <c>status.daemonEndpoints.kubeletEndpoint.Port</c> (10250 when the node reports none).
/// </summary>
internal static class KubeletEndpointResolver
{
    /// <summary>The kubelet's default port, as <c>--kubelet-port</c> defaults upstream.</summary>
    public const int DefaultPort = 10250;

    /// <summary>
    /// The address types tried in order. Upstream's default starts with Hostname; node agents here report their
    /// InternalIP first, which always resolves, while a host name may not resolve from the API server's machine.
    /// </summary>
    public static readonly IReadOnlyList<string> PreferredAddressTypes = ["InternalIP", "Hostname", "InternalDNS", "ExternalIP", "ExternalDNS"];

    /// <exception cref="ApiException">500 when the node reports no usable address, with kube-apiserver's message.</exception>
    public static KubeletEndpoint Resolve(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var addresses = node.Status?.Addresses ?? [];
        foreach (var type in PreferredAddressTypes)
        {
            foreach (var address in addresses)
            {
                if (address.Type == type && !string.IsNullOrEmpty(address.Address))
                {
                    return new KubeletEndpoint(address.Address, PortOf(node));
                }
            }
        }

        var known = string.Join(" ", addresses.Select(a => $"{{{a.Type} {a.Address}}}"));
        throw ApiException.Internal($"no preferred addresses found; known addresses: [{known}]");
    }

    private static int PortOf(V1Node node) =>
        node.Status?.DaemonEndpoints?.KubeletEndpoint?.Port is int port and > 0 and <= 65535 ? port : DefaultPort;
}
