using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>Nodes as kube-apiserver prints them (printNode): status from the Ready condition, roles from labels.</summary>
internal sealed class NodeTableConvertor : TableConvertor<V1Node>
{
    private const string RoleLabelPrefix = "node-role.kubernetes.io/";
    private const string LegacyRoleLabel = "kubernetes.io/role";

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Status", "string", "", "The status of the node"),
        new("Roles", "string", "", "The roles of the node"),
        CommonColumns.Age,
        new("Version", "string", "", "Kubelet Version reported by the node."),
        new("Internal-IP", "string", "", "List of addresses reachable to the node.", 1),
        new("External-IP", "string", "", "List of addresses reachable to the node.", 1),
        new("OS-Image", "string", "", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
        new("Kernel-Version", "string", "", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
        new("Container-Runtime", "string", "", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
    ];

    protected override object?[] Cells(V1Node node, DateTimeOffset now)
    {
        // Only the Ready condition counts; the last one of that type wins, as in the upstream map.
        var ready = node.Status?.Conditions?.LastOrDefault(c => c.Type == "Ready");
        var status = new List<string>(2) { ready is null ? "Unknown" : ready.Status == "True" ? "Ready" : "NotReady" };
        if (node.Spec?.Unschedulable == true)
        {
            status.Add("SchedulingDisabled");
        }

        var roles = Roles(node.Metadata?.Labels);
        var info = node.Status?.NodeInfo;
        return
        [
            node.Metadata?.Name,
            string.Join(",", status),
            roles.Count == 0 ? PrintFormat.None : string.Join(",", roles),
            PrintFormat.Age(node.Metadata, now),
            info?.KubeletVersion ?? "",
            Address(node, "InternalIP"),
            Address(node, "ExternalIP"),
            PrintFormat.EmptyAs(info?.OsImage, PrintFormat.Unknown),
            PrintFormat.EmptyAs(info?.KernelVersion, PrintFormat.Unknown),
            PrintFormat.EmptyAs(info?.ContainerRuntimeVersion, PrintFormat.Unknown),
        ];
    }

    private static SortedSet<string> Roles(IDictionary<string, string>? labels)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            if (key.StartsWith(RoleLabelPrefix, StringComparison.Ordinal))
            {
                if (key.Length > RoleLabelPrefix.Length)
                {
                    roles.Add(key[RoleLabelPrefix.Length..]);
                }
            }
            else if (key == LegacyRoleLabel && !string.IsNullOrEmpty(value))
            {
                roles.Add(value);
            }
        }

        return roles;
    }

    private static string Address(V1Node node, string type) =>
        node.Status?.Addresses?.FirstOrDefault(a => a.Type == type)?.Address ?? PrintFormat.None;
}
