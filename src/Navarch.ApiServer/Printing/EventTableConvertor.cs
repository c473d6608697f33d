using k8s;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>
/// Events as kube-apiserver prints them (printEvent), for both core/v1 and events.k8s.io/v1 Events: kube-apiserver
/// converts both to one internal Event before printing, so the events.k8s.io fields are mapped the same way here
/// (regarding → involvedObject, note → message, deprecated* → firstTimestamp, lastTimestamp, count, source).
/// </summary>
internal sealed class EventTableConvertor : ITableConvertor
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Last Seen", "string", "", "The time at which the most recent occurrence of this event was recorded."),
        new("Type", "string", "", "Type of this event (Normal, Warning), new types could be added in the future"),
        new("Reason", "string", "", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        new("Object", "string", "", "The object that this event is about."),
        new("Subobject", "string", "", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].", 1),
        new("Source", "string", "", "The component reporting this event. Should be a short machine understandable string.", 1),
        new("Message", "string", "", "A human-readable description of the status of this operation."),
        new("First Seen", "string", "", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
        new("Count", "string", "", "The number of times this event has occurred.", 1),
        new("Name", "string", "name", CommonColumns.NameDescription, 1),
    ];

    public object?[] Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now) => obj switch
    {
        Corev1Event e => Cells(
            e.Metadata?.Name, e.FirstTimestamp, e.LastTimestamp, e.EventTime, e.Count,
            e.Series is null ? null : (e.Series.Count ?? 0, e.Series.LastObservedTime),
            e.InvolvedObject, e.Source, e.ReportingComponent, e.ReportingInstance, e.Type, e.Reason, e.Message, now),
        Eventsv1Event e => Cells(
            e.Metadata?.Name, e.DeprecatedFirstTimestamp, e.DeprecatedLastTimestamp, e.EventTime, e.DeprecatedCount,
            e.Series is null ? null : (e.Series.Count, e.Series.LastObservedTime),
            e.Regarding, e.DeprecatedSource, e.ReportingController, e.ReportingInstance, e.Type, e.Reason, e.Note, now),
        _ => throw new ArgumentException($"{nameof(EventTableConvertor)} prints Events, not {obj.GetType().Name}.", nameof(obj)),
    };

    private static object?[] Cells(
        string? name, DateTime? first, DateTime? last, DateTime? eventTime, int? count, (int Count, DateTime? LastObserved)? series,
        V1ObjectReference? regarding, V1EventSource? source, string? reportingController, string? reportingInstance,
        string? type, string? reason, string? message, DateTimeOffset now)
    {
        var firstSeen = first is not null ? PrintFormat.Since(first, now) : PrintFormat.Since(eventTime, now);
        var lastSeen = last is not null ? PrintFormat.Since(last, now) : firstSeen;
        long total = count ?? 0;
        if (series is { } s)
        {
            lastSeen = PrintFormat.Since(s.LastObserved, now);
            total = s.Count;
        }
        else if (total == 0)
        {
            // Singleton events of the new API carry no count.
            total = 1;
        }

        var kind = (regarding?.Kind ?? "").ToLowerInvariant();
        var target = string.IsNullOrEmpty(regarding?.Name) ? kind : kind + "/" + regarding.Name;
        return
        [
            lastSeen,
            type ?? "",
            reason ?? "",
            target,
            regarding?.FieldPath ?? "",
            FormatSource(source, reportingController, reportingInstance),
            (message ?? "").Trim(),
            firstSeen,
            total,
            name,
        ];
    }

    /// <summary>formatEventSource: "component, host", falling back to the reporting controller and instance.</summary>
    private static string FormatSource(V1EventSource? source, string? reportingController, string? reportingInstance)
    {
        var component = FirstNonEmpty(source?.Component, reportingController);
        var instance = FirstNonEmpty(source?.Host, reportingInstance);
        return instance.Length == 0 ? component : component + ", " + instance;
    }

    private static string FirstNonEmpty(string? a, string? b) => !string.IsNullOrEmpty(a) ? a : b ?? "";
}
