using System.Globalization;
using k8s.Models;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// Computes a pod's <see cref="V1PodStatus"/> from what the runtime reports, as the kubelet's generateAPIPodStatus does:
/// phase from restartPolicy and container states, the standard conditions, container and init container statuses,
/// pod and host IPs, start time and QoS class. Readiness is "running" until probes exist.
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
    public V1PodStatus Build(
        V1Pod pod,
        PodSandboxStatus? sandbox,
        IReadOnlyCollection<ContainerStatus> containers,
        IReadOnlyDictionary<string, ContainerWaitingReason>? waiting,
        string? hostIP)
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

        var initStatuses = initSpecs.Select(spec => ContainerStatusOf(spec, byName, waiting, "PodInitializing")).ToList();
        var incompleteInit = initStatuses.Where(status => status.State.Terminated?.ExitCode != 0).Select(status => status.Name).ToList();
        var initialized = incompleteInit.Count == 0;
        var appStatuses = appSpecs
            .Select(spec => ContainerStatusOf(spec, byName, waiting, initialized ? "ContainerCreating" : "PodInitializing"))
            .ToList();

        var phase = Phase(restartPolicy, initStatuses, appStatuses);
        var status = new V1PodStatus
        {
            Phase = phase,
            QosClass = QosClass.Of(pod),
            StartTime = pod.Status?.StartTime ?? (sandbox is { CreatedAt: > 0 } ? FromNanoseconds(sandbox.CreatedAt) : timeProvider.GetUtcNow().UtcDateTime),
            ContainerStatuses = appStatuses,
            InitContainerStatuses = initStatuses.Count > 0 ? initStatuses : null,
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

    private static string Phase(string restartPolicy, List<V1ContainerStatus> init, List<V1ContainerStatus> app)
    {
        // As the kubelet's getPhase: a failed init container fails the pod only when it will not be restarted.
        foreach (var status in init)
        {
            if (status.State.Terminated is { ExitCode: not 0 } && restartPolicy == "Never")
            {
                return PhaseFailed;
            }
        }

        if (init.Any(status => status.State.Terminated?.ExitCode != 0))
        {
            return PhasePending;
        }

        var waiting = app.Count(status => status.State.Waiting is not null);
        var running = app.Count(status => status.State.Running is not null);
        var stopped = app.Count(status => status.State.Terminated is not null);
        var succeeded = app.Count(status => status.State.Terminated?.ExitCode == 0);
        if (app.Count == 0 || waiting > 0)
        {
            return PhasePending;
        }

        if (running > 0)
        {
            return PhaseRunning;
        }

        if (stopped > 0)
        {
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

        return PhasePending;
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
            conditions.Add(
                terminal ? Condition(pod, type, false, "PodCompleted", null)
                : unready.Count == 0 ? Condition(pod, type, true, null, null)
                : Condition(pod, type, false, "ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]"));
        }

        if (!string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            var scheduled = pod.Status?.Conditions?.FirstOrDefault(condition => condition.Type == "PodScheduled");
            conditions.Add(scheduled ?? Condition(pod, "PodScheduled", true, null, null));
        }

        return conditions;
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
        string defaultWaitingReason)
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
        result.Ready = result.State.Running is not null;
        result.Started = result.State.Running is not null;
        if (attempts.Count > 1)
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
