using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s.Models;
using Microsoft.AspNetCore.Http.Features;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Handlers;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// The <c>proxy</c> subresources: <c>nodes/{name}/proxy/{path}</c> goes to the node's kubelet (with the kubelet
/// client certificate), <c>pods/{name}/proxy/{path}</c> to the pod's IP, <c>services/{name}/proxy/{path}</c> to a ready
/// endpoint of the service. Finds the backend as kube-apiserver's node
/// and pod <c>ResourceLocation</c> do, then forwards any method with <see cref="HttpProxy"/>.
/// </summary>
internal sealed class ResourceProxyHandler(
    ResourceRegistry registry,
    ObjectRepository repository,
    KubeletConnector kubelets,
    ProxyTransport transport,
    HttpProxy proxy,
    UpgradeProxy upgrades,
    ServiceEndpointPicker endpoints)
{
    public Task HandleAsync(RequestContext request) => request.Info.Definition.Resource switch
    {
        "nodes" => NodeAsync(request),
        "pods" => PodAsync(request),
        "services" => ServiceAsync(request),
        var resource => throw ApiException.MethodNotSupported(request.Info.Definition.Group, resource + "/proxy",
            request.Http.Request.Method.ToLowerInvariant()),
    };

    /// <summary>
    /// As kube-apiserver's node ResourceLocation: no port, or the kubelet's own port, means the kubelet's API over
    /// HTTPS with the kubelet client certificate; another port is reached with the requested scheme (http by default).
    /// Unlike upstream, loopback node addresses are allowed, as single-machine clusters register them.
    /// </summary>
    private async Task NodeAsync(RequestContext request)
    {
        var info = request.Info;
        var id = ProxyId.Parse(info.Name!) ?? throw ApiException.BadRequest($"invalid node request \"{info.Name}\"");
        var nodes = registry.Find("", "v1", "nodes") ?? throw ApiException.Internal("nodes are not served");
        var node = (V1Node)await repository.GetRequiredAsync(nodes, nodes.Key(null, id.Name), id.Name, request.Cancellation).ConfigureAwait(false);
        var kubelet = KubeletEndpointResolver.Resolve(node);
        var pathAndQuery = PathAndQuery(request);
        if (id.Port.Length == 0 || id.Port == kubelet.Port.ToString(CultureInfo.InvariantCulture))
        {
            if (request.Http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true })
            {
                await upgrades.ProxyAsync(request.Http, kubelet, pathAndQuery).ConfigureAwait(false);
                return;
            }

            await proxy.ForwardAsync(request.Http, kubelets.Http, kubelet.UriFor(pathAndQuery)).ConfigureAwait(false);
            return;
        }

        var scheme = id.SchemeOrHttp;
        var target = Target(scheme, kubelet.Host, id.Port, pathAndQuery);
        // An https node port is reached with the kubelet client certificate; plain http needs none.
        await proxy.ForwardAsync(request.Http, scheme == "https" ? kubelets.Http : transport.Http, target).ConfigureAwait(false);
    }

    /// <summary>
    /// As kube-apiserver's pod ResourceLocation: the pod's first IP, which must be a global unicast address ("address
    /// not allowed" otherwise, including when the pod has none yet); the given port, else the first declared container
    /// port, else none (80 for http).
    /// </summary>
    private async Task PodAsync(RequestContext request)
    {
        var info = request.Info;
        var id = ProxyId.Parse(info.Name!) ?? throw ApiException.BadRequest($"invalid pod request \"{info.Name}\"");
        var pod = (V1Pod)await repository.GetRequiredAsync(info.Definition, info.Definition.Key(info.Namespace, id.Name), id.Name, request.Cancellation)
            .ConfigureAwait(false);
        var port = id.Port;
        if (port.Length == 0)
        {
            var declared = pod.Spec?.Containers?.FirstOrDefault(c => c.Ports is { Count: > 0 })?.Ports[0].ContainerPort;
            port = declared?.ToString(CultureInfo.InvariantCulture) ?? "";
        }

        var podIP = pod.Status?.PodIPs is { Count: > 0 } ips ? ips[0].Ip : pod.Status?.PodIP;
        if (!IPAddress.TryParse(podIP, out var address) || !IsGlobalUnicast(address))
        {
            throw ApiException.BadRequest("address not allowed");
        }

        var target = Target(id.SchemeOrHttp, address.ToString(), port, PathAndQuery(request));
        await proxy.ForwardAsync(request.Http, transport.Http, target).ConfigureAwait(false);
    }

    /// <summary>
    /// As kube-apiserver's service ResourceLocation: a numeric port names the service port with that number; the
    /// (named) port then selects the Endpoints port, and one of its ready addresses is the target. The scheme is the
    /// requested one (http by default). ExternalName services are not special-cased, as upstream: they have no
    /// Endpoints, so they answer 503.
    /// </summary>
    private async Task ServiceAsync(RequestContext request)
    {
        var info = request.Info;
        var id = ProxyId.Parse(info.Name!) ?? throw ApiException.BadRequest($"invalid service request \"{info.Name}\"");
        var (host, port) = await endpoints.PickAsync(info.Namespace!, info.Name!, id, request.Cancellation).ConfigureAwait(false);
        var target = Target(id.SchemeOrHttp, host, port.ToString(CultureInfo.InvariantCulture), PathAndQuery(request));
        await proxy.ForwardAsync(request.Http, transport.Http, target).ConfigureAwait(false);
    }

    private static Uri Target(string scheme, string host, string port, string pathAndQuery)
    {
        var bracketed = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        if (port.Length == 0)
        {
            return new Uri($"{scheme}://{bracketed}{pathAndQuery}");
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 65535
            ? new Uri($"{scheme}://{bracketed}:{number.ToString(CultureInfo.InvariantCulture)}{pathAndQuery}")
            : throw ApiException.ServiceUnavailable($"error trying to reach service: dial tcp {bracketed}:{port}: unknown port");
    }

    /// <summary>The proxied path (at least "/", trailing slash kept as upstream's JoinPreservingTrailingSlash) and the query as sent.</summary>
    private static string PathAndQuery(RequestContext request)
    {
        var path = request.Info.ProxyPath ?? "";
        var escaped = EscapePath(path.Length == 0 ? "/" : path);
        return escaped + request.Http.Request.QueryString.Value;
    }

    /// <summary>Percent-encodes what may not appear in a URL path, keeping slashes and existing escapes.</summary>
    private static string EscapePath(string path)
    {
        var builder = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@/".Contains(c, StringComparison.Ordinal)
                || (c == '%' && i + 2 < path.Length && char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2])))
            {
                builder.Append(c);
                continue;
            }

            foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>As Go's <c>net.IP.IsGlobalUnicast</c>: not unspecified, loopback, multicast, link-local or broadcast.</summary>
    private static bool IsGlobalUnicast(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = address.GetAddressBytes();
            return bytes[0] < 224 && !(bytes[0] == 169 && bytes[1] == 254);
        }

        return !address.IsIPv6Multicast && !address.IsIPv6LinkLocal;
    }
}
