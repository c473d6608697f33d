using System.Net;
using k8s.Models;

namespace Navarch.ApiServer.Registry.Allocation;

/// <summary>
/// The cluster-IP and node-port allocators the Service strategy draws from. The host creates one, passes it to
/// <see cref="ResourceRegistry.CreateDefault(ServiceAllocators)"/>, and before serving calls <see cref="Seed"/> with
/// every stored Service so addresses and ports already held are never handed out twice.
/// </summary>
public sealed class ServiceAllocators
{
    public const string DefaultServiceCidr = "10.43.0.0/16";

    public ServiceAllocators(ServiceIpAllocator clusterIps, NodePortAllocator nodePorts)
    {
        ClusterIps = clusterIps;
        NodePorts = nodePorts;
    }

    public ServiceIpAllocator ClusterIps { get; }

    public NodePortAllocator NodePorts { get; }

    /// <summary>Allocators over 10.43.0.0/16 and ports 30000-32767, the k3s defaults.</summary>
    public static ServiceAllocators CreateDefault() => new(new ServiceIpAllocator(DefaultServiceCidr), new NodePortAllocator());

    /// <summary>Marks what the given (stored) Services hold: cluster IPs, node ports and health-check node ports.</summary>
    public void Seed(IEnumerable<V1Service> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var service in services)
        {
            var spec = service.Spec;
            if (spec is null)
            {
                continue;
            }

            foreach (var ip in spec.ClusterIPs ?? (spec.ClusterIP is { } single ? [single] : []))
            {
                if (IPAddress.TryParse(ip, out var address))
                {
                    ClusterIps.MarkAllocated(address);
                }
            }

            foreach (var port in spec.Ports ?? [])
            {
                if (port.NodePort is { } nodePort)
                {
                    NodePorts.MarkAllocated(nodePort);
                }
            }

            if (spec.HealthCheckNodePort is { } healthCheck)
            {
                NodePorts.MarkAllocated(healthCheck);
            }
        }
    }
}
