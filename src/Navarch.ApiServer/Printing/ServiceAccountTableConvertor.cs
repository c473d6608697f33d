using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>ServiceAccounts as kube-apiserver prints them (printServiceAccount).</summary>
internal sealed class ServiceAccountTableConvertor : TableConvertor<V1ServiceAccount>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Secrets", "string", "", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
        CommonColumns.Age,
    ];

    protected override object?[] Cells(V1ServiceAccount account, DateTimeOffset now) =>
        [account.Metadata?.Name, (long)(account.Secrets?.Count ?? 0), PrintFormat.Age(account.Metadata, now)];
}
