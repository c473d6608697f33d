using System.Globalization;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>
/// Pods as kube-apiserver prints them (printPod): READY counts ready containers (and started sidecars), STATUS is
/// the pod's reason refined by init and container states, RESTARTS carries the age of the last restart.
/// </summary>
internal sealed class PodTableConvertor : TableConvertor<V1Pod>
{
    // Reasons Kubernetes itself sets; kept here so the status logic reads like the upstream one.
    private const string NodeLostReason = "NodeLost";
    private const string SchedulingGatedReason = "SchedulingGated";

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic."),
        new("Status", "string", "", "The aggregate status of the containers in this pod."),
        new("Restarts", "string", "", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        CommonColumns.Age,
        new("IP", "string", "", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
        new("Node", "string", "", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.", 1),
        new("Nominated Node", "string", "", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", 1),
        new("Readiness Gates", "string", "", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
    ];

    protected override object?[] Cells(V1Pod pod, DateTimeOffset now)
    {
        var spec = pod.Spec;
        var status = pod.Status;
        var restarts = 0;
        var restartableInitRestarts = 0;
        var readyContainers = 0;
        var totalContainers = spec?.Containers?.Count ?? 0;
        DateTime? lastRestart = null;
        DateTime? lastRestartableInitRestart = null;

        var phase = status?.Phase ?? "";
        var reason = string.IsNullOrEmpty(status?.Reason) ? phase : status.Reason;
        foreach (var condition in status?.Conditions ?? [])
        {
            if (condition.Type == "PodScheduled" && condition.Reason == SchedulingGatedReason)
            {
                reason = SchedulingGatedReason;
            }
        }

        var initContainers = new Dictionary<string, V1Container>(StringComparer.Ordinal);
        foreach (var container in spec?.InitContainers ?? [])
        {
            initContainers[container.Name] = container;
            if (IsRestartable(container))
            {
                totalContainers++;
            }
        }

        var initializing = false;
        var initStatuses = status?.InitContainerStatuses ?? [];
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var container = initStatuses[i];
            restarts += container.RestartCount;
            var finished = container.LastState?.Terminated?.FinishedAt;
            if (PrintFormat.Later(finished, lastRestart))
            {
                lastRestart = finished;
            }

            var restartable = container.Name is not null
                && initContainers.TryGetValue(container.Name, out var initContainer)
                && IsRestartable(initContainer);
            if (restartable)
            {
                restartableInitRestarts += container.RestartCount;
                if (PrintFormat.Later(finished, lastRestartableInitRestart))
                {
                    lastRestartableInitRestart = finished;
                }
            }

            var terminated = container.State?.Terminated;
            var waiting = container.State?.Waiting;
            if (terminated is { ExitCode: 0 })
            {
                continue;
            }

            if (restartable && container.Started == true)
            {
                if (container.Ready)
                {
                    readyContainers++;
                }

                continue;
            }

            if (terminated is not null)
            {
                // The init container failed.
                reason = string.IsNullOrEmpty(terminated.Reason)
                    ? terminated.Signal is { } signal and not 0
                        ? Invariant($"Init:Signal:{signal}")
                        : Invariant($"Init:ExitCode:{terminated.ExitCode}")
                    : "Init:" + terminated.Reason;
            }
            else if (waiting is not null && !string.IsNullOrEmpty(waiting.Reason) && waiting.Reason != "PodInitializing")
            {
                reason = "Init:" + waiting.Reason;
            }
            else
            {
                reason = Invariant($"Init:{i}/{spec?.InitContainers?.Count ?? 0}");
            }

            initializing = true;
            break;
        }

        if (!initializing || HasCondition(status, "Initialized"))
        {
            restarts = restartableInitRestarts;
            lastRestart = lastRestartableInitRestart;
            var hasRunning = false;
            var statuses = status?.ContainerStatuses ?? [];
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var container = statuses[i];
                restarts += container.RestartCount;
                var finished = container.LastState?.Terminated?.FinishedAt;
                if (PrintFormat.Later(finished, lastRestart))
                {
                    lastRestart = finished;
                }

                var waiting = container.State?.Waiting;
                var terminated = container.State?.Terminated;
                if (!string.IsNullOrEmpty(waiting?.Reason))
                {
                    reason = waiting.Reason;
                }
                else if (!string.IsNullOrEmpty(terminated?.Reason))
                {
                    reason = terminated.Reason;
                }
                else if (terminated is not null)
                {
                    reason = terminated.Signal is { } signal and not 0
                        ? Invariant($"Signal:{signal}")
                        : Invariant($"ExitCode:{terminated.ExitCode}");
                }
                else if (container.Ready && container.State?.Running is not null)
                {
                    hasRunning = true;
                    readyContainers++;
                }
            }

            // A pod whose last container completed while another still runs is Running (or NotReady), not Completed.
            if (reason == "Completed" && hasRunning)
            {
                reason = HasCondition(status, "Ready") ? "Running" : "NotReady";
            }
        }

        if (pod.Metadata?.DeletionTimestamp is not null && status?.Reason == NodeLostReason)
        {
            reason = "Unknown";
        }
        else if (pod.Metadata?.DeletionTimestamp is not null && phase is not ("Succeeded" or "Failed"))
        {
            reason = "Terminating";
        }

        var restartsText = restarts.ToString(CultureInfo.InvariantCulture);
        if (restarts != 0 && lastRestart is not null)
        {
            restartsText = Invariant($"{restarts} ({PrintFormat.Since(lastRestart, now)} ago)");
        }

        var podIP = status?.PodIPs is { Count: > 0 } ips ? ips[0].Ip : status?.PodIP;

        return
        [
            pod.Metadata?.Name,
            Invariant($"{readyContainers}/{totalContainers}"),
            reason,
            restartsText,
            PrintFormat.Age(pod.Metadata, now),
            PrintFormat.EmptyAs(podIP, PrintFormat.None),
            PrintFormat.EmptyAs(spec?.NodeName, PrintFormat.None),
            PrintFormat.EmptyAs(status?.NominatedNodeName, PrintFormat.None),
            ReadinessGates(spec, status),
        ];
    }

    private static string ReadinessGates(V1PodSpec? spec, V1PodStatus? status)
    {
        if (spec?.ReadinessGates is not { Count: > 0 } gates)
        {
            return PrintFormat.None;
        }

        var trueConditions = 0;
        foreach (var gate in gates)
        {
            var condition = status?.Conditions?.FirstOrDefault(c => c.Type == gate.ConditionType);
            if (condition?.Status == "True")
            {
                trueConditions++;
            }
        }

        return Invariant($"{trueConditions}/{gates.Count}");
    }

    private static bool IsRestartable(V1Container container) => container.RestartPolicy == "Always";

    private static bool HasCondition(V1PodStatus? status, string type) =>
        status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
