using System.Globalization;
using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods.Probes;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// Computes a pod's <see cref="V1PodStatus"/> from what the runtime reports, as the kubelet's generateAPIPodStatus does:
/// phase from restartPolicy and container states, the standard conditions, container and init container statuses,
/// pod and host IPs, start time and QoS class. A container's <c>started</c> and <c>ready</c> come from its probes
/// (<c>health</c>); without them a running container is both. A container whose latest attempt exited and that has a
/// waiting reason (CrashLoopBackOff, ...) is reported waiting with the exit as its <c>lastState</c>, as the kubelet does.
/// </summary>
public sealed class PodStatusBuilder(TimeProvider timeProvider, string runtimeName = "containerd")
{
    public const string PhasePending = "Pending";
    public const string PhaseRunning = "Running";
    public const string PhaseSucceeded = "Succeeded";
    public const string PhaseFailed = "Failed";

    /// <param name="pod">The pod as the API server has it; its current status supplies start time and condition transition times.</param>
    /// <param name="sandbox">The sandbox's status, or null when there is none (yet).</param>
    /// <param name="containers">CRI statuses of all containers of the pod, any attempt.</param>
    /// <param name="waiting">Why containers that have no runtime status are not running (ErrImagePull, ...).</param>
    /// <param name="hostIP">The node's IP, for <c>hostIP</c> and a host-network pod's <c>podIP</c>.</param>
    /// <param name="health">started/ready of a running container by its runtime id; null treats running as both.</param>
    public V1PodStatus Build(
        V1Pod pod,
        PodSandboxStatus? sandbox,
        IReadOnlyCollection<ContainerStatus> containers,
        IReadOnlyDictionary<string, ContainerWaitingReason>? waiting,
        string? hostIP,
        Func<string, ContainerHealth>? health = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(containers);
        waiting ??= new Dictionary<string, ContainerWaitingReason>();
        var byName = containers
            .GroupBy(status => status.Metadata?.Name ?? string.Empty)
            .ToDictionary(group => group.Key, group => group.OrderByDescending(status => status.CreatedAt).ToList());
        var restartPolicy = pod.Spec?.RestartPolicy ?? "Always";
        var initSpecs = pod.Spec?.InitContainers ?? [];
        var appSpecs = pod.Spec?.Containers ?? [];

        var initStatuses = initSpecs.Select(spec => ContainerStatusOf(spec, byName, waiting, "PodInitializing", health)).ToList();
        foreach (var (spec, initStatus) in initSpecs.Zip(initStatuses))
        {
            if (!IsSidecar(spec))
            {
                // As the kubelet: a regular init container is ready once it has completed, never while it runs.
                initStatus.Ready = initStatus.State.Terminated?.ExitCode == 0;
            }
        }

        // Once an app container has run the pod has initialized, whatever its sidecars do after (restart, or stop at the end).
        var appStarted = appSpecs.Any(spec => byName.ContainsKey(spec.Name));
        var incompleteInit = new List<string>();
        for (var i = 0; i < initSpecs.Count; i++)
        {
            // A sidecar (an init container with restartPolicy Always) is done initializing once it has started.
            var done = IsSidecar(initSpecs[i])
                ? appStarted || (initStatuses[i].State.Running is not null && initStatuses[i].Started == true)
                : initStatuses[i].State.Terminated?.ExitCode == 0;
            if (!done)
            {
                incompleteInit.Add(initStatuses[i].Name);
            }
        }

        var initialized = incompleteInit.Count == 0;
        var appStatuses = appSpecs
            .Select(spec => ContainerStatusOf(spec, byName, waiting, initialized ? "ContainerCreating" : "PodInitializing", health))
            .ToList();

        var phase = Phase(restartPolicy, initSpecs, initStatuses, appStatuses, appStarted);
        var status = new V1PodStatus
        {
            Phase = phase,
            QosClass = QosClass.Of(pod),
            StartTime = pod.Status?.StartTime ?? (sandbox is { CreatedAt: > 0 } ? FromNanoseconds(sandbox.CreatedAt) : timeProvider.GetUtcNow().UtcDateTime),
            ContainerStatuses = appStatuses,
            InitContainerStatuses = initStatuses.Count > 0 ? initStatuses : null,
            EphemeralContainerStatuses = EphemeralStatuses(pod, byName, waiting),
        };

        if (!string.IsNullOrEmpty(hostIP))
        {
            status.HostIP = hostIP;
            status.HostIPs = [new V1HostIP { Ip = hostIP }];
        }

        var podIPs = PodIPs(pod, sandbox, hostIP);
        if (podIPs.Count > 0)
        {
            status.PodIP = podIPs[0];
            status.PodIPs = podIPs.Select(ip => new V1PodIP { Ip = ip }).ToList();
        }

        status.Conditions = Conditions(pod, sandbox, phase, incompleteInit, appStatuses);
        return status;
    }

    /// <summary>The ephemeral containers' statuses, as the app containers' but never ready; null when the pod has none.</summary>
    private List<V1ContainerStatus>? EphemeralStatuses(
        V1Pod pod, Dictionary<string, List<ContainerStatus>> byName, IReadOnlyDictionary<string, ContainerWaitingReason> waiting)
    {
        var statuses = EphemeralContainers.Of(pod).Select(ephemeral => ContainerStatusOf(ephemeral.Spec, byName, waiting, "ContainerCreating", null)).ToList();
        foreach (var status in statuses)
        {
            status.Ready = false;
        }

        return statuses.Count > 0 ? statuses : null;
    }

    /// <summary>An init container with restartPolicy Always runs beside the app containers (a sidecar).</summary>
    public static bool IsSidecar(V1Container container) => container.RestartPolicy == "Always";

    private static string Phase(
        string restartPolicy, IList<V1Container> initSpecs, List<V1ContainerStatus> init, List<V1ContainerStatus> app, bool appStarted)
    {
        // As the kubelet's getPhase: a failed init container fails the pod only when it will not be restarted.
        var pendingInit = false;
        for (var i = 0; i < init.Count; i++)
        {
            var status = init[i];
            if (IsSidecar(initSpecs[i]))
            {
                pendingInit |= !appStarted && (status.State.Running is null || status.Started != true);
                continue;
            }

            if (status.State.Terminated is { ExitCode: not 0 } && restartPolicy == "Never")
            {
                return PhaseFailed;
            }

            pendingInit |= status.State.Terminated?.ExitCode != 0;
        }

        if (pendingInit)
        {
            return PhasePending;
        }

        int waiting = 0, running = 0, stopped = 0, succeeded = 0;
        foreach (var status in app)
        {
            if (status.State.Running is not null)
            {
                running++;
            }
            else if (status.State.Terminated is { } terminated)
            {
                stopped++;
                succeeded += terminated.ExitCode == 0 ? 1 : 0;
            }
            else if (status.LastState?.Terminated is not null)
            {
                // Crashed and waiting for its restart.
                stopped++;
            }
            else
            {
                waiting++;
            }
        }

        if (app.Count == 0 || waiting > 0)
        {
            return PhasePending;
        }

        if (running > 0)
        {
            return PhaseRunning;
        }

        if (restartPolicy == "Always")
        {
            return PhaseRunning;
        }

        if (stopped == succeeded)
        {
            return PhaseSucceeded;
        }

        return restartPolicy == "Never" ? PhaseFailed : PhaseRunning;
    }

    private List<V1PodCondition> Conditions(
        V1Pod pod, PodSandboxStatus? sandbox, string phase, List<string> incompleteInit, List<V1ContainerStatus> app)
    {
        var terminal = phase is PhaseSucceeded or PhaseFailed;
        var unready = app.Where(status => !status.Ready).Select(status => status.Name).ToList();
        var conditions = new List<V1PodCondition>
        {
            Condition(pod, "PodReadyToStartContainers", sandbox?.State == PodSandboxState.SandboxReady, null, null),
            incompleteInit.Count == 0
                ? Condition(pod, "Initialized", true, null, null)
                : Condition(pod, "Initialized", false, "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', incompleteInit)}]"),
        };

        foreach (var type in new[] { "Ready", "ContainersReady" })
        {
            var gate = type == "Ready" && !terminal && unready.Count == 0 ? UnreadyGate(pod) : null;
            conditions.Add(
                terminal ? Condition(pod, type, false, "PodCompleted", null)
                : gate is not null ? Condition(pod, type, false, "ReadinessGatesNotReady", gate)
                : unready.Count == 0 ? Condition(pod, type, true, null, null)
                : Condition(pod, type, false, "ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]"));
        }

        if (!string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            var scheduled = pod.Status?.Conditions?.FirstOrDefault(condition => condition.Type == "PodScheduled");
            conditions.Add(scheduled ?? Condition(pod, "PodScheduled", true, null, null));
        }

        // Conditions others own (readiness gates, DisruptionTarget, ...) are kept: the status is posted as a whole.
        foreach (var other in pod.Status?.Conditions ?? [])
        {
            if (!conditions.Any(condition => condition.Type == other.Type))
            {
                conditions.Add(other);
            }
        }

        return conditions;
    }

    /// <summary>Why a readiness gate holds the pod back, in the kubelet's words; null when every gate's condition is True.</summary>
    private static string? UnreadyGate(V1Pod pod)
    {
        foreach (var gate in pod.Spec?.ReadinessGates ?? [])
        {
            var condition = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == gate.ConditionType);
            if (condition is null)
            {
                return $"corresponding condition of pod readiness gate \"{gate.ConditionType}\" does not exist.";
            }

            if (condition.Status != "True")
            {
                return $"the status of pod readiness gate \"{gate.ConditionType}\" is not \"True\", but {condition.Status}";
            }
        }

        return null;
    }

    /// <summary>A condition whose transition time is kept from the pod's current status while its status does not change.</summary>
    private V1PodCondition Condition(V1Pod pod, string type, bool value, string? reason, string? message)
    {
        var status = value ? "True" : "False";
        var previous = pod.Status?.Conditions?.FirstOrDefault(condition => condition.Type == type);
        var transition = previous?.Status == status && previous.LastTransitionTime is { } at ? at : timeProvider.GetUtcNow().UtcDateTime;
        return new V1PodCondition { Type = type, Status = status, Reason = reason, Message = message, LastTransitionTime = transition };
    }

    private V1ContainerStatus ContainerStatusOf(
        V1Container spec,
        Dictionary<string, List<ContainerStatus>> byName,
        IReadOnlyDictionary<string, ContainerWaitingReason> waiting,
        string defaultWaitingReason,
        Func<string, ContainerHealth>? health)
    {
        var result = new V1ContainerStatus { Name = spec.Name, Image = spec.Image, ImageID = string.Empty, Ready = false, Started = false };
        if (!byName.TryGetValue(spec.Name, out var attempts) || attempts.Count == 0)
        {
            var reason = waiting.GetValueOrDefault(spec.Name);
            result.State = new V1ContainerState
            {
                Waiting = new V1ContainerStateWaiting { Reason = reason?.Reason ?? defaultWaitingReason, Message = reason?.Message },
            };
            return result;
        }

        var latest = attempts[0];
        result.ContainerID = $"{runtimeName}://{latest.Id}";
        result.Image = string.IsNullOrEmpty(latest.Image?.Image) ? spec.Image : latest.Image.Image;
        result.ImageID = latest.ImageRef;
        result.RestartCount = RestartCount(latest, attempts.Count);
        result.State = State(latest, runtimeName);
        if (result.State.Running is not null)
        {
            var probed = health?.Invoke(latest.Id) ?? new ContainerHealth(true, true);
            result.Started = probed.Started;
            result.Ready = probed.Ready;
        }

        if (latest.State == ContainerState.ContainerExited && waiting.TryGetValue(spec.Name, out var next))
        {
            // Exited and about to be restarted (or held back): waiting, with the exit as the last state.
            result.LastState = result.State;
            result.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = next.Reason, Message = next.Message } };
        }
        else if (attempts.Count > 1)
        {
            result.LastState = State(attempts[1], runtimeName);
        }

        return result;
    }

    private static int RestartCount(ContainerStatus latest, int attempts) =>
        latest.Annotations.TryGetValue(KubernetesLabels.ContainerRestartCount, out var text)
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : attempts - 1;

    private static V1ContainerState State(ContainerStatus status, string runtimeName) => status.State switch
    {
        ContainerState.ContainerRunning => new V1ContainerState
        {
            Running = new V1ContainerStateRunning { StartedAt = FromNanoseconds(status.StartedAt) },
        },
        ContainerState.ContainerExited => new V1ContainerState
        {
            Terminated = new V1ContainerStateTerminated
            {
                ExitCode = status.ExitCode,
                Reason = string.IsNullOrEmpty(status.Reason) ? (status.ExitCode == 0 ? "Completed" : "Error") : status.Reason,
                Message = string.IsNullOrEmpty(status.Message) ? null : status.Message,
                StartedAt = status.StartedAt > 0 ? FromNanoseconds(status.StartedAt) : null,
                FinishedAt = status.FinishedAt > 0 ? FromNanoseconds(status.FinishedAt) : null,
                ContainerID = $"{runtimeName}://{status.Id}",
            },
        },
        ContainerState.ContainerCreated => new V1ContainerState
        {
            Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" },
        },
        _ => new V1ContainerState { Waiting = new V1ContainerStateWaiting() },
    };

    private static List<string> PodIPs(V1Pod pod, PodSandboxStatus? sandbox, string? hostIP)
    {
        if (pod.Spec?.HostNetwork == true)
        {
            return string.IsNullOrEmpty(hostIP) ? [] : [hostIP];
        }

        var ips = new List<string>();
        if (sandbox?.Network is { } network && !string.IsNullOrEmpty(network.Ip))
        {
            ips.Add(network.Ip);
            ips.AddRange(network.AdditionalIps.Select(ip => ip.Ip).Where(ip => !string.IsNullOrEmpty(ip)));
        }

        return ips;
    }

    /// <summary>CRI timestamps are nanoseconds since the Unix epoch; API times are whole seconds.</summary>
    private static DateTime FromNanoseconds(long nanoseconds) =>
        DateTime.UnixEpoch.AddTicks(nanoseconds / 100 / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond);
}
