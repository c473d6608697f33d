using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.DefaultPreemption;

/// <summary>kube-scheduler's FitError text: "0/N nodes are available: " and a sorted histogram of reasons.</summary>
internal static class FitErrorMessage
{
    public static string Format(int numAllNodes, IReadOnlyDictionary<string, Status> statuses, string absentNodesReason)
    {
        var histogram = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var status in statuses.Values)
        {
            foreach (var reason in status.Reasons) histogram[reason] = histogram.GetValueOrDefault(reason) + 1;
        }

        // Nodes preemption did not try (not Unschedulable in Filter) count under the absent-nodes reason.
        if (statuses.Count < numAllNodes)
        {
            histogram[absentNodesReason] = histogram.GetValueOrDefault(absentNodesReason) + numAllNodes - statuses.Count;
        }

        var entries = new List<string>(histogram.Count);
        foreach (var (reason, count) in histogram) entries.Add($"{count} {reason}");

        // Go's sort.Strings: byte order over the whole "count reason" string.
        entries.Sort(StringComparer.Ordinal);
        var message = $"0/{numAllNodes} nodes are available:";
        return entries.Count == 0 ? message : $"{message} {string.Join(", ", entries)}.";
    }
}
