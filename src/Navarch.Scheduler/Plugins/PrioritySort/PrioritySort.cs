using System.Text.Json;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.PrioritySort;

/// <summary>
/// Orders the active queue by spec.priority (higher first), then by the time the pod entered the queue (earlier
/// first), as kube-scheduler's PrioritySort.
/// </summary>
public sealed class PrioritySort : IQueueSortPlugin
{
    public const string PluginName = "PrioritySort";

    private PrioritySort()
    {
    }

    public string Name => PluginName;

    public static IPlugin New(JsonElement? args, IFrameworkHandle handle) => new PrioritySort();

    public bool Less(QueuedPodInfo a, QueuedPodInfo b)
    {
        var pa = a.PodInfo.Priority;
        var pb = b.PodInfo.Priority;
        return pa > pb || (pa == pb && a.Timestamp < b.Timestamp);
    }
}
