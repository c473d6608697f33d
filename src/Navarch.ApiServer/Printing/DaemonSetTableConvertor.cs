using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>DaemonSets as kube-apiserver prints them (printDaemonSet).</summary>
internal sealed class DaemonSetTableConvertor : TableConvertor<V1DaemonSet>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Desired", "integer", "", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod)."),
        new("Current", "integer", "", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
        new("Ready", "integer", "", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
        new("Up-to-date", "integer", "", "The total number of nodes that are running updated daemon pod"),
        new("Available", "integer", "", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
        new("Node Selector", "string", "", "NodeSelector is a selector which must be true for the pod to fit on a node."),
        CommonColumns.Age,
        CommonColumns.Containers,
        CommonColumns.Images,
        CommonColumns.Selector("A label query over pods that are managed by the daemon set."),
    ];

    protected override object?[] Cells(V1DaemonSet daemonSet, DateTimeOffset now)
    {
        var status = daemonSet.Status;
        var podSpec = daemonSet.Spec?.Template?.Spec;
        var (names, images) = PrintFormat.ContainerCells(podSpec?.Containers);
        return
        [
            daemonSet.Metadata?.Name,
            (long)(status?.DesiredNumberScheduled ?? 0),
            (long)(status?.CurrentNumberScheduled ?? 0),
            (long)(status?.NumberReady ?? 0),
            (long)(status?.UpdatedNumberScheduled ?? 0),
            (long)(status?.NumberAvailable ?? 0),
            PrintFormat.FormatLabels(podSpec?.NodeSelector),
            PrintFormat.Age(daemonSet.Metadata, now),
            names,
            images,
            LabelSelectorFormat.Format(daemonSet.Spec?.Selector),
        ];
    }
}
