using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>ReplicaSets as kube-apiserver prints them (printReplicaSet).</summary>
internal sealed class ReplicaSetTableConvertor : TableConvertor<V1ReplicaSet>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Desired", "integer", "", "Replicas is the number of desired replicas."),
        new("Current", "integer", "", "Replicas is the most recently observed number of replicas."),
        new("Ready", "integer", "", "The number of ready replicas for this replica set."),
        CommonColumns.Age,
        CommonColumns.Containers,
        CommonColumns.Images,
        CommonColumns.Selector("Selector is a label query over pods that should match the replica count."),
    ];

    protected override object?[] Cells(V1ReplicaSet replicaSet, DateTimeOffset now)
    {
        var (names, images) = PrintFormat.ContainerCells(replicaSet.Spec?.Template?.Spec?.Containers);
        return
        [
            replicaSet.Metadata?.Name,
            (long)(replicaSet.Spec?.Replicas ?? 1),
            (long)(replicaSet.Status?.Replicas ?? 0),
            (long)(replicaSet.Status?.ReadyReplicas ?? 0),
            PrintFormat.Age(replicaSet.Metadata, now),
            names,
            images,
            LabelSelectorFormat.Format(replicaSet.Spec?.Selector),
        ];
    }
}
