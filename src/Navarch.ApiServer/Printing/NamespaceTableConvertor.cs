using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>Namespaces as kube-apiserver prints them (printNamespace).</summary>
internal sealed class NamespaceTableConvertor : TableConvertor<V1Namespace>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Status", "string", "", "The status of the namespace"),
        CommonColumns.Age,
    ];

    protected override object?[] Cells(V1Namespace ns, DateTimeOffset now) =>
        [ns.Metadata?.Name, ns.Status?.Phase ?? "", PrintFormat.Age(ns.Metadata, now)];
}
