using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>Secrets as kube-apiserver prints them (printSecret).</summary>
internal sealed class SecretTableConvertor : TableConvertor<V1Secret>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Type", "string", "", "Used to facilitate programmatic handling of secret data."),
        new("Data", "string", "", "Data contains the secret data."),
        CommonColumns.Age,
    ];

    protected override object?[] Cells(V1Secret secret, DateTimeOffset now) =>
        [secret.Metadata?.Name, secret.Type ?? "", (long)(secret.Data?.Count ?? 0), PrintFormat.Age(secret.Metadata, now)];
}
