using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Navarch.Kubelet.Node;

/// <summary>
/// Registers this machine's Node with the API server and posts its status every
/// <see cref="NodeOptions.NodeStatusUpdateFrequency"/>, as the kubelet's registerWithAPIServer and
/// updateNodeStatus do. Status goes through the <c>nodes/status</c> subresource, conditions keep their
/// transition time while their status holds and get a fresh heartbeat on every update.
/// </summary>
public sealed class NodeRegistrar
{
    /// <summary>The version this kubelet reports: a Kubernetes 1.32 version, so tools pick a matching client.</summary>
    public const string KubeletVersion = "v1.32.0+navarch";

    /// <summary>As the kubelet's nodeStatusUpdateRetry.</summary>
    private const int StatusUpdateRetries = 5;

    /// <summary>While the node is not Ready, how often the runtime is asked again, so Ready is posted as soon as it holds (the kubelet's fast status update).</summary>
    private static readonly TimeSpan NotReadyPollInterval = TimeSpan.FromMilliseconds(200);

    private readonly IKubernetes _client;
    private readonly NodeOptions _options;
    private readonly NodeInfo _info;
    private readonly string _containerRuntimeVersion;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CancellationToken, Task<string?>> _runtimeProblem;
    private bool _postedReady;

    /// <param name="runtimeProblem">Why the runtime cannot run pods (null when it can), as <see cref="RuntimeReadiness.ProblemAsync"/>; none means always ready.</param>
    /// <param name="containerRuntimeVersion">containerd's version as CRI <c>Version</c> reports it; reported as <c>containerd://&lt;version&gt;</c>.</param>
    public NodeRegistrar(
        IKubernetes client, NodeOptions options, NodeInfo info, string containerRuntimeVersion, TimeProvider time, ILogger<NodeRegistrar>? logger = null,
        Func<CancellationToken, Task<string?>>? runtimeProblem = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentException.ThrowIfNullOrEmpty(containerRuntimeVersion);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _client = client;
        _options = options;
        _info = info;
        _containerRuntimeVersion = containerRuntimeVersion.Contains("://", StringComparison.Ordinal)
            ? containerRuntimeVersion
            : "containerd://" + containerRuntimeVersion;
        _time = time;
        _logger = logger ?? NullLogger<NodeRegistrar>.Instance;
        _runtimeProblem = runtimeProblem ?? (_ => Task.FromResult<string?>(null));
    }

    /// <summary>Registers until it succeeds, then updates the status every <see cref="NodeOptions.NodeStatusUpdateFrequency"/> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await RegisterAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException)
            {
                NodeLog.RegistrationFailed(_logger, _options.NodeName, e);
                await Task.Delay(_options.RetryInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        while (true)
        {
            await WaitForNextUpdateAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException)
            {
                NodeLog.StatusUpdateFailed(_logger, _options.NodeName, e);
            }
        }
    }

    /// <summary>
    /// The update interval; while the last status posted was not Ready, cut short as soon as the runtime is ready, so
    /// pods are not held back a whole interval once the pod network is there.
    /// </summary>
    private async Task WaitForNextUpdateAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _postedReady))
        {
            await Task.Delay(_options.NodeStatusUpdateFrequency, _time, cancellationToken).ConfigureAwait(false);
            return;
        }

        var started = _time.GetTimestamp();
        while (_time.GetElapsedTime(started) < _options.NodeStatusUpdateFrequency)
        {
            await Task.Delay(NotReadyPollInterval, _time, cancellationToken).ConfigureAwait(false);
            if (await _runtimeProblem(cancellationToken).ConfigureAwait(false) is null)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Creates the Node; if it exists already (a kubelet restart), brings its labels up to date and posts a fresh status instead.
    /// </summary>
    public async Task<V1Node> RegisterAsync(CancellationToken cancellationToken)
    {
        var node = new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = _options.NodeName, Labels = Labels() },
            Spec = new V1NodeSpec(),
            Status = BuildStatus(null, Now(), await _runtimeProblem(cancellationToken).ConfigureAwait(false)),
        };
        try
        {
            var created = Posted(await _client.CoreV1.CreateNodeAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false));
            NodeLog.Registered(_logger, _options.NodeName);
            return created;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // AlreadyExists: as the kubelet's tryRegisterWithAPIServer, reconcile the existing object rather than fail.
        }

        await UpdateLabelsAsync(cancellationToken).ConfigureAwait(false);
        var updated = await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
        NodeLog.Registered(_logger, _options.NodeName);
        return updated;
    }

    /// <summary>Posts a fresh status (capacity, addresses, node info, conditions with a new heartbeat), retrying on conflicts.</summary>
    public async Task<V1Node> UpdateStatusAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await _client.CoreV1.ReadNodeAsync(_options.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
            current.Status = BuildStatus(current.Status, Now(), await _runtimeProblem(cancellationToken).ConfigureAwait(false));
            try
            {
                return Posted(await _client.CoreV1.ReplaceNodeStatusAsync(current, _options.NodeName, cancellationToken: cancellationToken)
                    .ConfigureAwait(false));
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < StatusUpdateRetries)
            {
            }
        }
    }

    private async Task UpdateLabelsAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await _client.CoreV1.ReadNodeAsync(_options.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
            current.Metadata.Labels ??= new Dictionary<string, string>();
            var changed = false;
            foreach (var (key, value) in Labels())
            {
                if (!current.Metadata.Labels.TryGetValue(key, out var existing) || existing != value)
                {
                    current.Metadata.Labels[key] = value;
                    changed = true;
                }
            }

            if (!changed)
            {
                return;
            }

            try
            {
                await _client.CoreV1.ReplaceNodeAsync(current, _options.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < StatusUpdateRetries)
            {
            }
        }
    }

    private Dictionary<string, string> Labels() => new()
    {
        ["kubernetes.io/hostname"] = _info.Hostname,
        ["kubernetes.io/os"] = _info.OperatingSystem,
        ["kubernetes.io/arch"] = _info.Architecture,

        // The beta labels the kubelet still sets alongside the GA ones.
        ["beta.kubernetes.io/os"] = _info.OperatingSystem,
        ["beta.kubernetes.io/arch"] = _info.Architecture,
    };

    private DateTime Now()
    {
        // Condition times are serialized with second precision; truncating keeps what we hold equal to what the server stores.
        var now = _time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    /// <summary>Remembers whether the node the API server now holds says Ready, which sets the pace of the next update.</summary>
    private V1Node Posted(V1Node node)
    {
        Volatile.Write(ref _postedReady, node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        return node;
    }

    /// <param name="notReady">Why the node is not Ready, or null when it is.</param>
    internal V1NodeStatus BuildStatus(V1NodeStatus? previous, DateTime now, string? notReady = null)
    {
        var capacity = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(_info.CpuCount.ToString(CultureInfo.InvariantCulture)),
            ["memory"] = new(BinaryQuantity(_info.MemoryBytes)),
            ["ephemeral-storage"] = new(BinaryQuantity(_info.EphemeralStorageBytes)),
            ["pods"] = new(_info.MaxPods.ToString(CultureInfo.InvariantCulture)),
        };

        // No system or kube reservations yet: allocatable is the whole machine.
        var allocatable = capacity.ToDictionary(pair => pair.Key, pair => new ResourceQuantity(pair.Value.ToString()));
        return new V1NodeStatus
        {
            Capacity = capacity,
            Allocatable = allocatable,
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = _info.InternalIP },
                new V1NodeAddress { Type = "Hostname", Address = _info.Hostname },
            ],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = _options.KubeletPort } },
            NodeInfo = new V1NodeSystemInfo
            {
                KernelVersion = _info.KernelVersion,
                OsImage = _info.OsImage,
                ContainerRuntimeVersion = _containerRuntimeVersion,
                KubeletVersion = KubeletVersion,
                KubeProxyVersion = KubeletVersion,
                OperatingSystem = _info.OperatingSystem,
                Architecture = _info.Architecture,
                MachineID = _info.MachineId,
                SystemUUID = _info.SystemUuid,
                BootID = _info.BootId,
            },

            // Order and wording as the kubelet's setters (pkg/kubelet/nodestatus/setters.go).
            Conditions =
            [
                Condition(previous, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                Condition(previous, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                Condition(previous, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                notReady is null
                    ? Condition(previous, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now)
                    : Condition(previous, "Ready", "False", "KubeletNotReady", notReady, now),
            ],
            Images = previous?.Images,
            VolumesAttached = previous?.VolumesAttached,
            VolumesInUse = previous?.VolumesInUse,
        };
    }

    private static V1NodeCondition Condition(V1NodeStatus? previous, string type, string status, string reason, string message, DateTime now)
    {
        var old = previous?.Conditions?.FirstOrDefault(c => c.Type == type);
        return new V1NodeCondition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastHeartbeatTime = now,
            LastTransitionTime = old is { LastTransitionTime: { } since } && old.Status == status ? since : now,
        };
    }

    /// <summary>Bytes as a Kubernetes binary quantity, in Ki where exact, as cadvisor-backed capacities read.</summary>
    private static string BinaryQuantity(long bytes) =>
        bytes % 1024 == 0 && bytes > 0
            ? (bytes / 1024).ToString(CultureInfo.InvariantCulture) + "Ki"
            : bytes.ToString(CultureInfo.InvariantCulture);
}
