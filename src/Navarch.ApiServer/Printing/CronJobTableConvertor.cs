using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>CronJobs as kube-apiserver prints them (printCronJob).</summary>
internal sealed class CronJobTableConvertor : TableConvertor<V1CronJob>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Schedule", "string", "", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        new("Timezone", "string", "", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
        new("Suspend", "boolean", "", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false."),
        new("Active", "integer", "", "A list of pointers to currently running jobs."),
        new("Last Schedule", "string", "", "Information when was the last time the job was successfully scheduled."),
        CommonColumns.Age,
        CommonColumns.Containers,
        CommonColumns.Images,
        CommonColumns.Selector("A label query over pods that should match the pod count."),
    ];

    protected override object?[] Cells(V1CronJob cronJob, DateTimeOffset now)
    {
        var spec = cronJob.Spec;
        var jobSpec = spec?.JobTemplate?.Spec;
        var lastSchedule = cronJob.Status?.LastScheduleTime is { } last ? PrintFormat.Since(last, now) : PrintFormat.None;
        var (names, images) = PrintFormat.ContainerCells(jobSpec?.Template?.Spec?.Containers);
        return
        [
            cronJob.Metadata?.Name,
            spec?.Schedule ?? "",
            spec?.TimeZone ?? PrintFormat.None,
            PrintFormat.BoolPointer(spec?.Suspend),
            (long)(cronJob.Status?.Active?.Count ?? 0),
            lastSchedule,
            PrintFormat.Age(cronJob.Metadata, now),
            names,
            images,
            LabelSelectorFormat.Format(jobSpec?.Selector),
        ];
    }
}
