using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>
/// kube-controller-manager's node lifecycle controller. Every <c>NodeMonitorPeriod</c> it checks each node: one
/// whose Lease in <c>kube-node-lease</c> and Ready heartbeat have not moved (by this controller's clock) for
/// <c>NodeMonitorGracePeriod</c> gets Ready, MemoryPressure, DiskPressure and PIDPressure set to Unknown, an event
/// NodeNotReady, and its pods marked not ready. Taints follow the conditions: the NoExecute
/// <c>unreachable</c>/<c>not-ready</c> taints (which the taint-eviction controller acts on) and the NoSchedule
/// taints of TaintNodesByCondition.
/// </summary>
public sealed partial class NodeLifecycleController : IController
{
    public const string Component = "node-controller";
    public const string LeaseNamespace = "kube-node-lease";

    private static readonly string[] MonitoredConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<V1Node> _nodes;
    private readonly SharedIndexInformer<V1Lease> _leases;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly EventHandlerRegistration _nodeRegistration;
    private readonly ReconcileLoop _taints;
    private readonly IEventRecorder _recorder;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, NodeHealth> _health = new(StringComparer.Ordinal);

    public NodeLifecycleController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<NodeLifecycleController>();
        _recorder = context.Recorder(Component);
        _taints = new ReconcileLoop("nodelifecycle-taints", SyncTaintsAsync, _logger, context.Time);
        _nodes = context.Informers.For<V1Node>();
        _leases = context.Informers.For<V1Lease>(LeaseNamespace);
        _pods = context.Informers.For<V1Pod>();
        PodsByNode.Ensure(_pods);
        _nodeRegistration = _nodes.AddEventHandler(new ResourceEventHandler<V1Node>(
            (node, _) => _taints.Enqueue(node.Metadata.Name),
            (_, node) => _taints.Enqueue(node.Metadata.Name),
            (node, _) => _health.TryRemove(node.Metadata.Name, out NodeHealth? _)));
    }

    public static ControllerDescriptor Descriptor { get; } = new("nodelifecycle", context => new NodeLifecycleController(context));

    public string Name => "nodelifecycle";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var taints = _taints.RunAsync(_context.Options.Workers, cancellationToken);
        try
        {
            using var timer = new PeriodicTimer(_context.Options.NodeMonitorPeriod, _context.Time);
            do
            {
                try
                {
                    await MonitorNodeHealthAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogMonitorFailed(_logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await taints.ConfigureAwait(false);
    }

    /// <summary>One pass over every node, as monitorNodeHealth; nodes are handled in parallel by the workers.</summary>
    internal async Task MonitorNodeHealthAsync(CancellationToken cancellationToken)
    {
        var nodes = _nodes.Lister.List();
        await Parallel.ForEachAsync(
            nodes,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _context.Options.Workers), CancellationToken = cancellationToken },
            async (node, ct) =>
            {
                try
                {
                    await MonitorNodeAsync(node, ct).ConfigureAwait(false);
                }
                catch (k8s.Autorest.HttpOperationException e)
                {
                    // A conflict or a vanished node: the next pass looks again.
                    LogUpdateFailed(_logger, node.Metadata.Name, (int)e.Response.StatusCode);
                }
            }).ConfigureAwait(false);
    }

    private async Task MonitorNodeAsync(V1Node node, CancellationToken cancellationToken)
    {
        var name = node.Metadata.Name;
        var now = _context.Time.GetUtcNow();
        var health = _health.GetOrAdd(name, static (_, at) => new NodeHealth(at), now);
        var ready = Condition(node, "Ready");
        var lease = _leases.Lister.Get(LeaseNamespace, name);
        bool stale;
        lock (health)
        {
            var heartbeat = ready?.LastHeartbeatTime;
            if (!health.Seen || heartbeat != health.ReadyHeartbeat)
            {
                health.ReadyHeartbeat = heartbeat;
                health.ProbeTimestamp = now;
            }

            if (lease?.Spec?.RenewTime is { } renew && (health.LeaseRenewTime is not { } seen || renew > seen))
            {
                health.LeaseRenewTime = renew;
                health.ProbeTimestamp = now;
            }

            health.Seen = true;
            stale = now > health.ProbeTimestamp + _context.Options.NodeMonitorGracePeriod;
        }

        var observedReady = ready?.Status;
        var notReady = observedReady != "True";
        if (stale)
        {
            var copy = KubernetesJson.Deserialize<V1Node>(KubernetesJson.Serialize(node));
            if (MarkUnknown(copy, now.UtcDateTime))
            {
                LogUnknown(_logger, name);
                await _context.Client.CoreV1.ReplaceNodeStatusAsync(copy, name, cancellationToken: cancellationToken).ConfigureAwait(false);
                notReady = true;
                if (observedReady == "True")
                {
                    // As RecordNodeStatusChange: reported once, when the controller takes the node out of Ready.
                    _recorder.Event(node, EventTypes.Normal, "NodeNotReady", $"Node {name} status is now: NodeNotReady");
                    health.PodsNeedMarking = true;
                }
            }
        }

        if (health.PodsNeedMarking)
        {
            // Retried every pass until it succeeds, unless the node came back meanwhile.
            health.PodsNeedMarking = notReady && !await MarkPodsNotReadyAsync(name, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sets the monitored conditions to Unknown, as tryUpdateNodeHealth does for a node past its grace period.</summary>
    internal static bool MarkUnknown(V1Node node, DateTime now)
    {
        node.Status ??= new V1NodeStatus();
        node.Status.Conditions ??= new List<V1NodeCondition>();
        var changed = false;
        foreach (var type in MonitoredConditions)
        {
            var condition = Find(node.Status.Conditions, type);
            if (condition is null)
            {
                node.Status.Conditions.Add(new V1NodeCondition
                {
                    Type = type,
                    Status = "Unknown",
                    Reason = "NodeStatusNeverUpdated",
                    Message = "Kubelet never posted node status.",
                    LastHeartbeatTime = node.Metadata.CreationTimestamp,
                    LastTransitionTime = now,
                });
                changed = true;
            }
            else if (condition.Status != "Unknown")
            {
                condition.Status = "Unknown";
                condition.Reason = "NodeStatusUnknown";
                condition.Message = "Kubelet stopped posting node status.";
                condition.LastTransitionTime = now;
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>Sets Ready=False on the node's pods through pods/status, as MarkPodsNotReady; true when all succeeded.</summary>
    private async Task<bool> MarkPodsNotReadyAsync(string nodeName, CancellationToken cancellationToken)
    {
        var ok = true;
        foreach (var cached in _pods.Indexer.ByIndex(PodsByNode.IndexName, nodeName))
        {
            if (cached.Spec?.NodeName != nodeName || PodConditions.Get(cached, "Ready") is not { Status: not "False" }) continue;
            var pod = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(cached));
            var ready = PodConditions.Get(pod, "Ready")!; // Present: checked on the cached copy above.
            ready.Status = "False";
            ready.LastTransitionTime = _context.Time.GetUtcNow().UtcDateTime;
            try
            {
                await _context.Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
                _recorder.Event(pod, EventTypes.Warning, "NodeNotReady", "Node is not ready");
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
            }
            catch (k8s.Autorest.HttpOperationException e)
            {
                LogPodUpdateFailed(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, (int)e.Response.StatusCode);
                ok = false;
            }
        }

        return ok;
    }

    private async Task SyncTaintsAsync(string name, CancellationToken cancellationToken)
    {
        var node = _nodes.Lister.Get(name);
        if (node is null) return;
        var taints = DesiredTaints(node, node.Spec?.Taints, _context.Time.GetUtcNow().UtcDateTime);
        if (taints is null) return;
        var copy = KubernetesJson.Deserialize<V1Node>(KubernetesJson.Serialize(node));
        copy.Spec ??= new V1NodeSpec();
        copy.Spec.Taints = taints;
        await _context.Client.CoreV1.ReplaceNodeAsync(copy, name, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The node's taints with the controller-managed ones made to match its conditions (the NoExecute taints of
    /// taint-based eviction and the NoSchedule ones of TaintNodesByCondition), or null when nothing changes.
    /// Taints the controller does not manage are kept as they are.
    /// </summary>
    internal static List<V1Taint>? DesiredTaints(V1Node node, IList<V1Taint>? current, DateTime now)
    {
        var wanted = new List<(string Key, string Effect)>();
        switch (Condition(node, "Ready")?.Status)
        {
            case "False":
                wanted.Add((Taints.NotReady, Taints.NoExecute));
                wanted.Add((Taints.NotReady, Taints.NoSchedule));
                break;
            case "Unknown":
                wanted.Add((Taints.Unreachable, Taints.NoExecute));
                wanted.Add((Taints.Unreachable, Taints.NoSchedule));
                break;
        }

        AddIfTrue(node, "MemoryPressure", Taints.MemoryPressure, wanted);
        AddIfTrue(node, "DiskPressure", Taints.DiskPressure, wanted);
        AddIfTrue(node, "NetworkUnavailable", Taints.NetworkUnavailable, wanted);
        AddIfTrue(node, "PIDPressure", Taints.PidPressure, wanted);
        if (node.Spec?.Unschedulable == true) wanted.Add((Taints.Unschedulable, Taints.NoSchedule));

        var result = new List<V1Taint>();
        var changed = false;
        foreach (var taint in current ?? [])
        {
            if (!IsManaged(taint) || wanted.Contains((taint.Key, taint.Effect)))
            {
                result.Add(taint);
                wanted.Remove((taint.Key, taint.Effect));
            }
            else
            {
                changed = true;
            }
        }

        foreach (var (key, effect) in wanted)
        {
            // As upstream, NoExecute taints carry the time they were added: eviction counts tolerationSeconds from it.
            result.Add(new V1Taint { Key = key, Effect = effect, TimeAdded = effect == Taints.NoExecute ? now : null });
            changed = true;
        }

        return changed ? result : null;
    }

    private static bool IsManaged(V1Taint taint) => taint.Effect switch
    {
        Taints.NoExecute => taint.Key is Taints.NotReady or Taints.Unreachable,
        Taints.NoSchedule => taint.Key is Taints.NotReady or Taints.Unreachable or Taints.MemoryPressure or Taints.DiskPressure
            or Taints.NetworkUnavailable or Taints.PidPressure or Taints.Unschedulable,
        _ => false,
    };

    private static void AddIfTrue(V1Node node, string condition, string key, List<(string, string)> wanted)
    {
        if (Condition(node, condition)?.Status == "True") wanted.Add((key, Taints.NoSchedule));
    }

    private static V1NodeCondition? Condition(V1Node node, string type) => Find(node.Status?.Conditions, type);

    private static V1NodeCondition? Find(IList<V1NodeCondition>? conditions, string type)
    {
        foreach (var condition in conditions ?? [])
        {
            if (condition.Type == type) return condition;
        }

        return null;
    }

    public void Dispose() => _nodeRegistration.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} hasn't been updated within the grace period; its conditions are now Unknown")]
    private static partial void LogUnknown(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating node {Node} failed with {Code}; retrying on the next pass")]
    private static partial void LogUpdateFailed(ILogger logger, string node, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marking pod {Namespace}/{Pod} not ready failed with {Code}")]
    private static partial void LogPodUpdateFailed(ILogger logger, string @namespace, string pod, int code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Monitoring node health failed")]
    private static partial void LogMonitorFailed(ILogger logger, Exception error);
}
