using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>Leases as kube-apiserver prints them (printLease).</summary>
internal sealed class LeaseTableConvertor : TableConvertor<V1Lease>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Holder", "string", "", "holderIdentity contains the identity of the holder of a current lease."),
        CommonColumns.Age,
    ];

    protected override object?[] Cells(V1Lease lease, DateTimeOffset now) =>
        [lease.Metadata?.Name, lease.Spec?.HolderIdentity ?? "", PrintFormat.Age(lease.Metadata, now)];
}
