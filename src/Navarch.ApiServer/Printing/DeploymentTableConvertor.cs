using System.Globalization;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>Deployments as kube-apiserver prints them (printDeployment).</summary>
internal sealed class DeploymentTableConvertor : TableConvertor<V1Deployment>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Ready", "string", "", "Number of the pod with ready state"),
        new("Up-to-date", "string", "", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        new("Available", "string", "", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        CommonColumns.Age,
        CommonColumns.Containers,
        CommonColumns.Images,
        CommonColumns.Selector("Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
    ];

    protected override object?[] Cells(V1Deployment deployment, DateTimeOffset now)
    {
        var status = deployment.Status;

        // Kubernetes defaults spec.replicas to 1 before storing.
        var desired = deployment.Spec?.Replicas ?? 1;
        var (names, images) = PrintFormat.ContainerCells(deployment.Spec?.Template?.Spec?.Containers);

        // Unlike the other workloads, Deployment prints the raw selector string: empty, never "<none>".
        var selector = LabelSelectorFormat.ToSelectorString(deployment.Spec?.Selector) ?? "<invalid>";
        return
        [
            deployment.Metadata?.Name,
            string.Create(CultureInfo.InvariantCulture, $"{status?.ReadyReplicas ?? 0}/{desired}"),
            (long)(status?.UpdatedReplicas ?? 0),
            (long)(status?.AvailableReplicas ?? 0),
            PrintFormat.Age(deployment.Metadata, now),
            names,
            images,
            selector,
        ];
    }
}
