using System.Globalization;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>StatefulSets as kube-apiserver prints them (printStatefulSet).</summary>
internal sealed class StatefulSetTableConvertor : TableConvertor<V1StatefulSet>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Ready", "string", "", "Number of the pod with ready state"),
        CommonColumns.Age,
        CommonColumns.Containers,
        CommonColumns.Images,
    ];

    protected override object?[] Cells(V1StatefulSet statefulSet, DateTimeOffset now)
    {
        var (names, images) = PrintFormat.ContainerCells(statefulSet.Spec?.Template?.Spec?.Containers);
        return
        [
            statefulSet.Metadata?.Name,
            string.Create(CultureInfo.InvariantCulture, $"{statefulSet.Status?.ReadyReplicas ?? 0}/{statefulSet.Spec?.Replicas ?? 1}"),
            PrintFormat.Age(statefulSet.Metadata, now),
            names,
            images,
        ];
    }
}
