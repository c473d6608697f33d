using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>PriorityClasses as kube-apiserver prints them (printPriorityClass).</summary>
internal sealed class PriorityClassTableConvertor : TableConvertor<V1PriorityClass>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Value", "integer", "", "value represents the integer value of this priority class."),
        new("Global-Default", "boolean", "", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class."),
        CommonColumns.Age,
        new("PreemptionPolicy", "string", "", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority."),
    ];

    protected override object?[] Cells(V1PriorityClass priorityClass, DateTimeOffset now) =>
    [
        priorityClass.Metadata?.Name,
        (long)(priorityClass.Value ?? 0),
        priorityClass.GlobalDefault ?? false,
        PrintFormat.Age(priorityClass.Metadata, now),
        priorityClass.PreemptionPolicy ?? "",
    ];
}
