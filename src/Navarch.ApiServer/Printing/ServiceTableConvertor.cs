using System.Globalization;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>Services as kube-apiserver prints them (printService).</summary>
internal sealed class ServiceTableConvertor : TableConvertor<V1Service>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Type", "string", "", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
        new("Cluster-IP", "string", "", "clusterIP is the IP address of the service and is usually assigned randomly."),
        new("External-IP", "string", "", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
        new("Port(s)", "string", "", "The list of ports that are exposed by this service."),
        CommonColumns.Age,
        CommonColumns.Selector("Route service traffic to pods with label keys and values matching this selector."),
    ];

    protected override object?[] Cells(V1Service service, DateTimeOffset now)
    {
        var spec = service.Spec;

        // The internal API folds clusterIP into clusterIPs, so the first of either is the one printed.
        var clusterIP = spec?.ClusterIPs is { Count: > 0 } ips ? ips[0] : spec?.ClusterIP;
        var ports = PortString(spec?.Ports);
        return
        [
            service.Metadata?.Name,
            spec?.Type ?? "",
            PrintFormat.EmptyAs(clusterIP, PrintFormat.None),
            ExternalIP(service),
            ports.Length == 0 ? PrintFormat.None : ports,
            PrintFormat.Age(service.Metadata, now),
            PrintFormat.FormatLabels(spec?.Selector),
        ];
    }

    /// <summary>getServiceExternalIP, with Wide set: load-balancer addresses are never clipped on the server.</summary>
    private static string ExternalIP(V1Service service)
    {
        var spec = service.Spec;
        var externalIPs = spec?.ExternalIPs ?? [];
        switch (spec?.Type)
        {
            case "ClusterIP":
            case "NodePort":
                return externalIPs.Count > 0 ? string.Join(",", externalIPs) : PrintFormat.None;
            case "LoadBalancer":
                var ingress = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var point in service.Status?.LoadBalancer?.Ingress ?? [])
                {
                    if (!string.IsNullOrEmpty(point.Ip))
                    {
                        ingress.Add(point.Ip);
                    }
                    else if (!string.IsNullOrEmpty(point.Hostname))
                    {
                        ingress.Add(point.Hostname);
                    }
                }

                if (externalIPs.Count > 0)
                {
                    return string.Join(",", ingress.Concat(externalIPs));
                }

                return ingress.Count > 0 ? string.Join(",", ingress) : "<pending>";
            case "ExternalName":
                return spec.ExternalName ?? "";
            default:
                return PrintFormat.Unknown;
        }
    }

    /// <summary>makePortString: "80/TCP", or "80:30080/TCP" with a node port.</summary>
    private static string PortString(IList<V1ServicePort>? ports)
    {
        if (ports is null || ports.Count == 0)
        {
            return "";
        }

        return string.Join(",", ports.Select(p =>
        {
            // Kubernetes defaults the protocol to TCP before anything is stored.
            var protocol = string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol;
            return p.NodePort is > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{p.Port}:{p.NodePort}/{protocol}")
                : string.Create(CultureInfo.InvariantCulture, $"{p.Port}/{protocol}");
        }));
    }
}
