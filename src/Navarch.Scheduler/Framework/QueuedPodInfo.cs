namespace Navarch.Scheduler.Framework;

/// <summary>A pod waiting in the scheduling queue, with what the queue tracks about its attempts.</summary>
public sealed class QueuedPodInfo(PodInfo podInfo, DateTimeOffset timestamp)
{
    public PodInfo PodInfo { get; set; } = podInfo;

    /// <summary>When the pod was last added to (or moved within) the queue; QueueSort breaks priority ties on it.</summary>
    public DateTimeOffset Timestamp { get; set; } = timestamp;

    /// <summary>When the pod first entered the queue, for the scheduling latency metric.</summary>
    public DateTimeOffset InitialAttemptTimestamp { get; set; } = timestamp;

    /// <summary>Scheduling attempts so far; drives the back-off (1 s doubling to 10 s by default).</summary>
    public int Attempts { get; set; }

    /// <summary>Plugins that rejected the pod in its last attempt; only events they registered for requeue it.</summary>
    public HashSet<string> UnschedulablePlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>Plugins that returned Pending in the last attempt.</summary>
    public HashSet<string> PendingPlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>The PreEnqueue plugin that keeps the pod out of the active queue, if any.</summary>
    public string? GatingPlugin { get; set; }

    public bool Gated => GatingPlugin is not null;
}
