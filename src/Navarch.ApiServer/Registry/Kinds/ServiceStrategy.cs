using System.Net;
using System.Runtime.CompilerServices;
using k8s.Models;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry.Allocation;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>
/// Services, after pkg/registry/core/service: defaults, validation, and cluster-IP and node-port allocation from
/// <see cref="ServiceAllocators"/>. Allocation happens in PrepareForCreate/PrepareForUpdate (after the spec has been
/// defaulted and checked, so an invalid Service holds nothing); a create the store then refuses gives back exactly
/// what was taken for it, and a deleted Service gives back all it held.
/// </summary>
/// <remarks>
/// Addresses and ports a Service stops using through an update (a NodePort service turned ClusterIP) are not released
/// at once: the strategy has no hook after a successful update, and releasing early risks handing out a port the
/// stored object still holds. They return to the pool when the allocators are seeded at the next start.
/// </remarks>
internal sealed class ServiceStrategy : ResourceStrategy<V1Service>
{
    private static readonly IReadOnlyCollection<string> Fields = ["spec.clusterIP", "spec.type"];

    // What PrepareForCreate took for a given object instance, so OnCreateFailed releases exactly that and never an
    // address that was asked for but belongs to another Service.
    private readonly ConditionalWeakTable<V1Service, Holdings> _takenForCreate = new();

    public ServiceStrategy(ServiceAllocators allocators)
    {
        Allocators = allocators;
    }

    public ServiceAllocators Allocators { get; }

    public override IReadOnlyCollection<string> SelectableFields => Fields;

    protected override void PrepareForCreate(V1Service obj)
    {
        obj.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus() };
        Default(obj);
        ThrowIfSpecInvalid(obj);

        var taken = new Holdings();
        var errors = new List<FieldError>();
        try
        {
            AllocateClusterIp(obj.Spec, taken, errors);
            AllocateNodePorts(obj.Spec, [], taken, errors);
        }
        catch
        {
            taken.Release(Allocators);
            throw;
        }

        if (errors.Count > 0)
        {
            taken.Release(Allocators);
            throw ApiException.Invalid("", "Service", obj.Metadata?.Name ?? "", errors);
        }

        _takenForCreate.AddOrUpdate(obj, taken);
    }

    protected override void OnCreateFailed(V1Service obj)
    {
        if (_takenForCreate.TryGetValue(obj, out var taken))
        {
            _takenForCreate.Remove(obj);
            taken.Release(Allocators);
        }
    }

    protected override void OnDeleted(V1Service obj)
    {
        _takenForCreate.Remove(obj);
        if (obj.Spec is not { } spec)
        {
            return;
        }

        foreach (var ip in ClusterIps(spec))
        {
            if (IPAddress.TryParse(ip, out var address))
            {
                Allocators.ClusterIps.Release(address);
            }
        }

        foreach (var port in NodePortsOf(spec))
        {
            Allocators.NodePorts.Release(port);
        }
    }

    protected override void PrepareForUpdate(V1Service obj, V1Service old)
    {
        obj.Status = old.Status;
        Default(obj);
        var spec = obj.Spec;
        var oldSpec = old.Spec ?? new V1ServiceSpec();
        CarryOverAllocations(spec, oldSpec);

        // An invalid update holds nothing new; ValidateUpdate reports why.
        var check = new List<FieldError>();
        ServiceValidation.ValidateSpec(spec, check);
        if (check.Count > 0)
        {
            return;
        }

        var taken = new Holdings();
        var errors = new List<FieldError>();
        try
        {
            var oldIp = oldSpec.Type == "ExternalName" ? "" : oldSpec.ClusterIP ?? "";
            if (oldIp.Length == 0)
            {
                AllocateClusterIp(spec, taken, errors);
            }

            AllocateNodePorts(spec, NodePortsOf(oldSpec).ToHashSet(), taken, errors);
        }
        catch
        {
            taken.Release(Allocators);
            throw;
        }

        if (errors.Count > 0)
        {
            taken.Release(Allocators);
            throw ApiException.Invalid("", "Service", obj.Metadata?.Name ?? "", errors);
        }
    }

    /// <summary>SetDefaults_Service plus what the service REST fills in for a single-stack IPv4 cluster.</summary>
    protected override void Default(V1Service obj)
    {
        var spec = obj.Spec ??= new V1ServiceSpec();
        if (string.IsNullOrEmpty(spec.Type))
        {
            spec.Type = "ClusterIP";
        }

        if (string.IsNullOrEmpty(spec.SessionAffinity))
        {
            spec.SessionAffinity = "None";
        }

        if (spec.SessionAffinity == "ClientIP")
        {
            spec.SessionAffinityConfig ??= new V1SessionAffinityConfig();
            spec.SessionAffinityConfig.ClientIP ??= new V1ClientIPConfig();
            spec.SessionAffinityConfig.ClientIP.TimeoutSeconds ??= 10800;
        }

        foreach (var port in spec.Ports ?? [])
        {
            if (string.IsNullOrEmpty(port.Protocol))
            {
                port.Protocol = "TCP";
            }

            if (string.IsNullOrEmpty(port.TargetPort?.Value) || port.TargetPort.Value == "0")
            {
                port.TargetPort = port.Port;
            }
        }

        if (spec.Type != "ExternalName")
        {
            if (string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIPs is { Count: > 0 } ips)
            {
                spec.ClusterIP = ips[0];
            }
            else if (!string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIPs is not { Count: > 0 })
            {
                spec.ClusterIPs = [spec.ClusterIP];
            }

            if (string.IsNullOrEmpty(spec.InternalTrafficPolicy))
            {
                spec.InternalTrafficPolicy = "Cluster";
            }

            if (spec.IpFamilies is not { Count: > 0 })
            {
                spec.IpFamilies = ["IPv4"];
            }

            if (string.IsNullOrEmpty(spec.IpFamilyPolicy))
            {
                spec.IpFamilyPolicy = "SingleStack";
            }
        }

        if (spec.Type is "NodePort" or "LoadBalancer" && string.IsNullOrEmpty(spec.ExternalTrafficPolicy))
        {
            spec.ExternalTrafficPolicy = "Cluster";
        }

        if (spec.Type == "LoadBalancer")
        {
            spec.AllocateLoadBalancerNodePorts ??= true;
        }
    }

    protected override void Validate(V1Service obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1035Label, errors);
        ServiceValidation.ValidateSpec(obj.Spec, errors);
    }

    /// <summary>The cluster IP is fixed once set, except when the Service becomes or stops being ExternalName.</summary>
    protected override void ValidateUpdate(V1Service obj, V1Service old, List<FieldError> errors)
    {
        Validate(obj, errors);
        var spec = obj.Spec ?? new V1ServiceSpec();
        var oldSpec = old.Spec ?? new V1ServiceSpec();
        if (spec.Type == "ExternalName" || oldSpec.Type == "ExternalName" || string.IsNullOrEmpty(oldSpec.ClusterIP))
        {
            return;
        }

        var newIp = spec.ClusterIP ?? "";
        if (newIp != oldSpec.ClusterIP)
        {
            errors.Add(FieldError.Invalid("spec.clusterIPs[0]", GoLiteral.StringList(spec.ClusterIPs ?? []), "may not change once set"));
            errors.Add(FieldError.Invalid("spec.clusterIP", newIp, "field is immutable"));
        }
    }

    protected override string GetSelectableField(V1Service obj, string field) => field switch
    {
        "spec.clusterIP" => obj.Spec?.ClusterIP ?? "",
        "spec.type" => obj.Spec?.Type ?? "",
        _ => "",
    };

    private static void ThrowIfSpecInvalid(V1Service obj)
    {
        var errors = new List<FieldError>();
        ServiceValidation.ValidateSpec(obj.Spec, errors);
        if (errors.Count > 0)
        {
            throw ApiException.Invalid("", "Service", obj.Metadata?.Name ?? "", errors);
        }
    }

    // Clients (kubectl apply, replace) often send a Service without what the server allocated; keep what the stored
    // object holds, and drop node ports when the new type no longer uses them, as the service REST does.
    private static void CarryOverAllocations(V1ServiceSpec spec, V1ServiceSpec oldSpec)
    {
        if (ServiceValidation.NeedsClusterIp(spec) && string.IsNullOrEmpty(spec.ClusterIP)
            && oldSpec.Type != "ExternalName" && !string.IsNullOrEmpty(oldSpec.ClusterIP))
        {
            spec.ClusterIP = oldSpec.ClusterIP;
            spec.ClusterIPs = oldSpec.ClusterIPs?.ToList() ?? [oldSpec.ClusterIP];
        }

        if (spec.Type == "ExternalName" && oldSpec.Type != "ExternalName" && spec.ClusterIP == oldSpec.ClusterIP)
        {
            spec.ClusterIP = null;
            spec.ClusterIPs = null;
            spec.IpFamilies = null;
            spec.IpFamilyPolicy = null;
            spec.InternalTrafficPolicy = null;
        }

        var oldPorts = oldSpec.Ports ?? [];
        if (ServiceValidation.NeedsNodePorts(spec))
        {
            foreach (var port in spec.Ports ?? [])
            {
                if (port.NodePort is null or 0)
                {
                    port.NodePort = oldPorts.FirstOrDefault(p => p.Port == port.Port && p.Protocol == port.Protocol && p.NodePort is > 0)?.NodePort;
                }
            }
        }
        else if (ServiceValidation.NeedsNodePorts(oldSpec))
        {
            var held = oldPorts.Where(p => p.NodePort is > 0).Select(p => p.NodePort).ToHashSet();
            foreach (var port in spec.Ports ?? [])
            {
                if (held.Contains(port.NodePort))
                {
                    port.NodePort = null;
                }
            }
        }

        if (NeedsHealthCheckPort(spec))
        {
            spec.HealthCheckNodePort ??= oldSpec.HealthCheckNodePort;
        }
        else if (spec.HealthCheckNodePort == oldSpec.HealthCheckNodePort)
        {
            spec.HealthCheckNodePort = null;
        }
    }

    private static bool NeedsHealthCheckPort(V1ServiceSpec spec) => spec.Type == "LoadBalancer" && spec.ExternalTrafficPolicy == "Local";

    private void AllocateClusterIp(V1ServiceSpec spec, Holdings taken, List<FieldError> errors)
    {
        if (!ServiceValidation.NeedsClusterIp(spec))
        {
            return;
        }

        var requested = spec.ClusterIPs is { Count: > 0 } ips ? ips[0] : spec.ClusterIP;
        if (!string.IsNullOrEmpty(requested))
        {
            var address = IPAddress.Parse(requested); // ValidateSpec has already refused anything unparseable.
            var detail = Allocators.ClusterIps.Allocate(address) switch
            {
                AllocationResult.Allocated => null,
                AllocationResult.AlreadyAllocated => "provided IP is already allocated",
                _ => $"the provided IP ({requested}) is not in the valid range. The range of valid IPs is {Allocators.ClusterIps.Cidr}",
            };
            if (detail is not null)
            {
                errors.Add(FieldError.Invalid("spec.clusterIPs", GoLiteral.StringList(spec.ClusterIPs ?? [requested]),
                    $"failed to allocate IP {requested}: {detail}"));
                return;
            }

            taken.Ips.Add(address);
        }
        else
        {
            if (!Allocators.ClusterIps.TryAllocateNext(out var address))
            {
                throw ApiException.Internal("failed to allocate a serviceIP: range is full");
            }

            taken.Ips.Add(address);
            requested = address.ToString();
        }

        spec.ClusterIP = requested;
        spec.ClusterIPs = [requested];
    }

    private void AllocateNodePorts(V1ServiceSpec spec, HashSet<int> heldByOld, Holdings taken, List<FieldError> errors)
    {
        if (ServiceValidation.NeedsNodePorts(spec))
        {
            var ports = spec.Ports ?? [];
            for (var i = 0; i < ports.Count; i++)
            {
                var port = ports[i];
                if (port.NodePort is null or 0)
                {
                    // As Kubernetes does, the same port number under another protocol shares one node port.
                    var sibling = ports.Take(i).FirstOrDefault(p => p.Port == port.Port && p.Protocol != port.Protocol && p.NodePort is > 0);
                    port.NodePort = sibling?.NodePort ?? AllocateNextPort(taken);
                }
                else
                {
                    AllocateRequestedPort(port.NodePort.Value, $"spec.ports[{i}].nodePort", heldByOld, taken, errors);
                }
            }
        }

        if (NeedsHealthCheckPort(spec))
        {
            if (spec.HealthCheckNodePort is null or 0)
            {
                spec.HealthCheckNodePort = AllocateNextPort(taken);
            }
            else
            {
                AllocateRequestedPort(spec.HealthCheckNodePort.Value, "spec.healthCheckNodePort", heldByOld, taken, errors);
            }
        }
    }

    private int AllocateNextPort(Holdings taken)
    {
        if (!Allocators.NodePorts.TryAllocateNext(out var port))
        {
            throw ApiException.Internal("failed to allocate a nodePort: range is full");
        }

        taken.Ports.Add(port);
        return port;
    }

    private void AllocateRequestedPort(int port, string path, HashSet<int> heldByOld, Holdings taken, List<FieldError> errors)
    {
        if (heldByOld.Contains(port) || taken.Ports.Contains(port))
        {
            return;
        }

        switch (Allocators.NodePorts.Allocate(port))
        {
            case AllocationResult.Allocated:
                taken.Ports.Add(port);
                break;
            case AllocationResult.AlreadyAllocated:
                errors.Add(FieldError.Invalid(path, port, "provided port is already allocated"));
                break;
            default:
                errors.Add(FieldError.Invalid(path, port,
                    $"provided port is not in the valid range. The range of valid ports is {Allocators.NodePorts.Range}"));
                break;
        }
    }

    private static IEnumerable<string> ClusterIps(V1ServiceSpec spec) =>
        spec.ClusterIPs ?? (string.IsNullOrEmpty(spec.ClusterIP) ? [] : [spec.ClusterIP]);

    private static IEnumerable<int> NodePortsOf(V1ServiceSpec spec)
    {
        foreach (var port in spec.Ports ?? [])
        {
            if (port.NodePort is > 0)
            {
                yield return port.NodePort.Value;
            }
        }

        if (spec.HealthCheckNodePort is > 0)
        {
            yield return spec.HealthCheckNodePort.Value;
        }
    }

    private sealed class Holdings
    {
        public List<IPAddress> Ips { get; } = [];

        public List<int> Ports { get; } = [];

        public void Release(ServiceAllocators allocators)
        {
            foreach (var ip in Ips)
            {
                allocators.ClusterIps.Release(ip);
            }

            foreach (var port in Ports)
            {
                allocators.NodePorts.Release(port);
            }

            Ips.Clear();
            Ports.Clear();
        }
    }
}
