using System.Globalization;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>Jobs as kube-apiserver prints them (printJob): STATUS from conditions, COMPLETIONS, DURATION.</summary>
internal sealed class JobTableConvertor : TableConvertor<V1Job>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Status", "string", "", "Status of the job."),
        new("Completions", "string", "", "The number of pods which reached phase Succeeded."),
        new("Duration", "string", "", "Time required to complete the job."),
        CommonColumns.Age,
        CommonColumns.Containers,
        CommonColumns.Images,
        CommonColumns.Selector("A label query over pods that should match the pod count."),
    ];

    protected override object?[] Cells(V1Job job, DateTimeOffset now)
    {
        var spec = job.Spec;
        var status = job.Status;
        var succeeded = status?.Succeeded ?? 0;
        string completions;
        if (spec?.Completions is { } wanted)
        {
            completions = Invariant($"{succeeded}/{wanted}");
        }
        else
        {
            var parallelism = spec?.Parallelism ?? 0;
            completions = parallelism > 1 ? Invariant($"{succeeded}/1 of {parallelism}") : Invariant($"{succeeded}/1");
        }

        var duration = "";
        if (status?.StartTime is { } start)
        {
            var end = status.CompletionTime is { } completed ? PrintFormat.ToUtc(completed) : now;
            duration = HumanDuration.Format(end - PrintFormat.ToUtc(start));
        }

        string state;
        if (HasCondition(status, "Complete"))
        {
            state = "Complete";
        }
        else if (HasCondition(status, "Failed"))
        {
            state = "Failed";
        }
        else if (job.Metadata?.DeletionTimestamp is not null)
        {
            state = "Terminating";
        }
        else if (HasCondition(status, "Suspended"))
        {
            state = "Suspended";
        }
        else if (HasCondition(status, "FailureTarget"))
        {
            state = "FailureTarget";
        }
        else
        {
            state = "Running";
        }

        var (names, images) = PrintFormat.ContainerCells(spec?.Template?.Spec?.Containers);
        return
        [
            job.Metadata?.Name,
            state,
            completions,
            duration,
            PrintFormat.Age(job.Metadata, now),
            names,
            images,
            LabelSelectorFormat.Format(spec?.Selector),
        ];
    }

    /// <summary>hasJobCondition: the first condition of the type decides.</summary>
    private static bool HasCondition(V1JobStatus? status, string type) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status == "True";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
