using Navarch.Api.Metrics;

namespace Navarch.Scheduler.Core;

/// <summary>
/// Counters behind kube-scheduler's metrics (scheduler_schedule_attempts_total by result,
/// scheduler_scheduling_attempt_duration_seconds, scheduler_pod_scheduling_duration_seconds); the host renders them.
/// </summary>
public sealed class SchedulerMetrics
{
    private long _scheduled;
    private long _unschedulable;
    private long _errors;
    private long _preemptionAttempts;

    public long ScheduledAttempts => Interlocked.Read(ref _scheduled);

    public long UnschedulableAttempts => Interlocked.Read(ref _unschedulable);

    public long ErrorAttempts => Interlocked.Read(ref _errors);

    /// <summary>PostFilter runs (scheduler_preemption_attempts_total).</summary>
    public long PreemptionAttempts => Interlocked.Read(ref _preemptionAttempts);

    /// <summary>Duration of one scheduling attempt (cycle plus binding), seconds.</summary>
    public PrometheusHistogram SchedulingAttemptDuration { get; } = new(PrometheusHistogram.ExponentialBuckets(0.001, 2, 15));

    /// <summary>From first entering the queue to bound (e2e), seconds.</summary>
    public PrometheusHistogram PodSchedulingDuration { get; } = new(PrometheusHistogram.ExponentialBuckets(0.01, 2, 20));

    internal void Scheduled(TimeSpan attempt, TimeSpan endToEnd)
    {
        Interlocked.Increment(ref _scheduled);
        SchedulingAttemptDuration.Observe(attempt.TotalSeconds);
        PodSchedulingDuration.Observe(endToEnd.TotalSeconds);
    }

    internal void Unschedulable(TimeSpan attempt)
    {
        Interlocked.Increment(ref _unschedulable);
        SchedulingAttemptDuration.Observe(attempt.TotalSeconds);
    }

    internal void Error(TimeSpan attempt)
    {
        Interlocked.Increment(ref _errors);
        SchedulingAttemptDuration.Observe(attempt.TotalSeconds);
    }

    internal void PreemptionAttempt() => Interlocked.Increment(ref _preemptionAttempts);
}
