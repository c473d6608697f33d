using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>ConfigMaps as kube-apiserver prints them (printConfigMap): DATA counts data and binaryData keys.</summary>
internal sealed class ConfigMapTableConvertor : TableConvertor<V1ConfigMap>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Data", "string", "", "Data contains the configuration data."),
        CommonColumns.Age,
    ];

    protected override object?[] Cells(V1ConfigMap configMap, DateTimeOffset now) =>
    [
        configMap.Metadata?.Name,
        (long)((configMap.Data?.Count ?? 0) + (configMap.BinaryData?.Count ?? 0)),
        PrintFormat.Age(configMap.Metadata, now),
    ];
}
