namespace Navarch.Scheduler.Queue;

/// <summary>Back-off and flush timing of the scheduling queue, with kube-scheduler's defaults.</summary>
public sealed record SchedulingQueueOptions
{
    public TimeSpan PodInitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan PodMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a pod may stay unschedulable before it is retried anyway (podMaxInUnschedulablePodsDuration).</summary>
    public TimeSpan PodMaxInUnschedulablePodsDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often back-off expiries are checked (kube-scheduler: every second).</summary>
    public TimeSpan BackoffFlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often long-unschedulable pods are flushed (kube-scheduler: every 30 seconds).</summary>
    public TimeSpan UnschedulableFlushInterval { get; init; } = TimeSpan.FromSeconds(30);
}
