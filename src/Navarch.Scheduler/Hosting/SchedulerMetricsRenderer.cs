using System.Globalization;
using System.Text;
using Navarch.Scheduler.Core;

namespace Navarch.Scheduler.Hosting;

/// <summary>Writes the scheduler's metrics under kube-scheduler's metric names.</summary>
internal static class SchedulerMetricsRenderer
{
    public static void Render(StringBuilder text, PodScheduler? scheduler, bool isLeader)
    {
        text.Append("# HELP leader_election_master_status Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.\n");
        text.Append("# TYPE leader_election_master_status gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"leader_election_master_status{{name=\"kube-scheduler\"}} {(isLeader ? 1 : 0)}\n");
        if (scheduler is null) return;

        var metrics = scheduler.Metrics;
        text.Append("# HELP scheduler_schedule_attempts_total Number of attempts to schedule pods, by the result.\n");
        text.Append("# TYPE scheduler_schedule_attempts_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"scheduler_schedule_attempts_total{{result=\"scheduled\"}} {metrics.ScheduledAttempts}\n");
        text.Append(CultureInfo.InvariantCulture, $"scheduler_schedule_attempts_total{{result=\"unschedulable\"}} {metrics.UnschedulableAttempts}\n");
        text.Append(CultureInfo.InvariantCulture, $"scheduler_schedule_attempts_total{{result=\"error\"}} {metrics.ErrorAttempts}\n");

        text.Append("# HELP scheduler_preemption_attempts_total Total preemption attempts in the cluster till now.\n");
        text.Append("# TYPE scheduler_preemption_attempts_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"scheduler_preemption_attempts_total {metrics.PreemptionAttempts}\n");

        text.Append("# HELP scheduler_scheduling_attempt_duration_seconds Scheduling attempt latency in seconds (scheduling algorithm + binding).\n");
        text.Append("# TYPE scheduler_scheduling_attempt_duration_seconds histogram\n");
        metrics.SchedulingAttemptDuration.Render(text, "scheduler_scheduling_attempt_duration_seconds", string.Empty);

        text.Append("# HELP scheduler_pod_scheduling_sli_duration_seconds E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue.\n");
        text.Append("# TYPE scheduler_pod_scheduling_sli_duration_seconds histogram\n");
        metrics.PodSchedulingDuration.Render(text, "scheduler_pod_scheduling_sli_duration_seconds", string.Empty);

        var (active, backoff, unschedulable, gated) = scheduler.Queue.PendingPods();
        text.Append("# HELP scheduler_pending_pods Number of pending pods, by the queue type.\n");
        text.Append("# TYPE scheduler_pending_pods gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"scheduler_pending_pods{{queue=\"active\"}} {active}\n");
        text.Append(CultureInfo.InvariantCulture, $"scheduler_pending_pods{{queue=\"backoff\"}} {backoff}\n");
        text.Append(CultureInfo.InvariantCulture, $"scheduler_pending_pods{{queue=\"unschedulable\"}} {unschedulable}\n");
        text.Append(CultureInfo.InvariantCulture, $"scheduler_pending_pods{{queue=\"gated\"}} {gated}\n");
    }
}
