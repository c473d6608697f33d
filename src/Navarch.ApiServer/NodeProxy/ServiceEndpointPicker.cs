using System.Globalization;
using k8s.Models;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// Chooses the backend of <c>services/{id}/proxy</c> as kube-apiserver's service ResourceLocation does: a numeric port
/// is turned into the name of the service port with that number, that name selects the port of the service's
/// Endpoints, and a random ready address (of a random subset) is the target. An address only counts when it refers
/// to a pod in the same namespace that has that IP, as upstream's isValidAddress requires.
/// </summary>
internal sealed class ServiceEndpointPicker(ResourceRegistry registry, ObjectRepository repository)
{
    /// <summary>The address and port to reach for the service named in <paramref name="id"/> (raw text <paramref name="rawId"/>).</summary>
    public async Task<(string Host, int Port)> PickAsync(string ns, string rawId, ProxyId id, CancellationToken cancellationToken)
    {
        var portName = id.Port;
        if (long.TryParse(portName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            var services = Definition("services");
            var service = (V1Service)await repository.GetRequiredAsync(services, services.Key(ns, id.Name), id.Name, cancellationToken)
                .ConfigureAwait(false);
            var declared = service.Spec?.Ports?.FirstOrDefault(p => p.Port == number)
                ?? throw ApiException.ServiceUnavailable(
                    $"no service port {number.ToString(CultureInfo.InvariantCulture)} found for service \"{id.Name}\"");
            portName = declared.Name ?? "";
        }

        var endpointsDefinition = Definition("endpoints");
        var endpoints = (V1Endpoints)await repository.GetRequiredAsync(endpointsDefinition, endpointsDefinition.Key(ns, id.Name), id.Name, cancellationToken)
            .ConfigureAwait(false);
        var subsets = endpoints.Subsets ?? [];
        if (subsets.Count == 0)
        {
            throw ApiException.ServiceUnavailable($"no endpoints available for service \"{id.Name}\"");
        }

        var subsetSeed = Random.Shared.Next(subsets.Count);
        for (var s = 0; s < subsets.Count; s++)
        {
            var subset = subsets[(subsetSeed + s) % subsets.Count];
            var addresses = subset.Addresses ?? [];
            if (addresses.Count == 0)
            {
                continue;
            }

            foreach (var port in (subset.Ports ?? []).Where(p => (p.Name ?? "") == portName))
            {
                var addressSeed = Random.Shared.Next(addresses.Count);
                for (var a = 0; a < addresses.Count; a++)
                {
                    var address = addresses[(addressSeed + a) % addresses.Count];
                    if (await IsValidAsync(ns, address, cancellationToken).ConfigureAwait(false))
                    {
                        return (address.Ip, port.Port);
                    }
                }
            }
        }

        // Upstream names the whole id here (e.g. "web:nope"), unlike the empty-subsets message above.
        throw ApiException.ServiceUnavailable($"no endpoints available for service \"{rawId}\"");
    }

    /// <summary>As upstream's isValidAddress: the address must point at an existing pod of this namespace that has its IP.</summary>
    private async Task<bool> IsValidAsync(string ns, V1EndpointAddress address, CancellationToken cancellationToken)
    {
        if (address.TargetRef is not { Name: { Length: > 0 } podName } target || (target.NamespaceProperty ?? "") != ns)
        {
            return false;
        }

        var pods = Definition("pods");
        var found = await repository.GetAsync(pods, pods.Key(ns, podName), cancellationToken).ConfigureAwait(false);
        return found?.Object is V1Pod pod && (pod.Status?.PodIPs ?? []).Any(ip => ip.Ip == address.Ip);
    }

    private ResourceDefinition Definition(string resource) =>
        registry.Find("", "v1", resource) ?? throw ApiException.Internal(resource + " are not served");
}
