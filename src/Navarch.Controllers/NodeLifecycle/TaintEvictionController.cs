using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Scheduling;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>
/// kube-controller-manager's taint-eviction controller (the former taint manager): a pod on a node with a
/// NoExecute taint it does not tolerate is deleted at once; one that tolerates every such taint for a bounded
/// time (tolerationSeconds, 300 s from the DefaultTolerationSeconds admission) is deleted when the shortest of
/// them runs out, counted from when this controller first saw the pod need evicting; the eviction is cancelled if
/// the taints go. Before deleting, the pod gets the DisruptionTarget condition (reason DeletionByTaintManager).
/// </summary>
public sealed partial class TaintEvictionController : IController
{
    public const string Component = "taint-eviction-controller";

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<V1Node> _nodes;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly EventHandlerRegistration _nodeRegistration;
    private readonly EventHandlerRegistration _podRegistration;
    private readonly ReconcileLoop _loop;
    private readonly IEventRecorder _recorder;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    // Pods whose eviction is counting down: when it was scheduled (the start of the toleration) and the pod's UID.
    private readonly Dictionary<string, (DateTimeOffset CreatedAt, string? Uid)> _scheduled = new(StringComparer.Ordinal);

    public TaintEvictionController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<TaintEvictionController>();
        _recorder = context.Recorder(Component);
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);
        _nodes = context.Informers.For<V1Node>();
        _pods = context.Informers.For<V1Pod>();
        PodsByNode.Ensure(_pods);
        _nodeRegistration = _nodes.AddEventHandler(new ResourceEventHandler<V1Node>(
            (node, _) => OnNodeChanged(null, node),
            OnNodeChanged,
            (node, _) => EnqueuePodsOf(node.Metadata.Name)));
        _podRegistration = _pods.AddEventHandler(new ResourceEventHandler<V1Pod>(
            (pod, _) => OnPodChanged(null, pod),
            OnPodChanged,
            (pod, _) => _loop.Enqueue(ObjectKeys.KeyOf(pod))));
    }

    public static ControllerDescriptor Descriptor { get; } = new("taint-eviction-controller", context => new TaintEvictionController(context));

    public string Name => "taint-eviction-controller";

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_context.Options.Workers, cancellationToken);

    private void OnNodeChanged(V1Node? old, V1Node node)
    {
        var before = Taints.NoExecuteOf(old);
        var after = Taints.NoExecuteOf(node);
        if (old is not null && SameTaints(before, after)) return;
        if (old is null && after.Count == 0) return;
        EnqueuePodsOf(node.Metadata.Name);
    }

    private void EnqueuePodsOf(string nodeName)
    {
        foreach (var key in _pods.Indexer.IndexKeys(PodsByNode.IndexName, nodeName))
        {
            _loop.Enqueue(key);
        }
    }

    private void OnPodChanged(V1Pod? old, V1Pod pod)
    {
        if (string.IsNullOrEmpty(pod.Spec?.NodeName)) return;
        if (old is not null && old.Spec?.NodeName == pod.Spec.NodeName && (old.Metadata.DeletionTimestamp is null) == (pod.Metadata.DeletionTimestamp is null)
            && old.Spec.Tolerations?.Count == pod.Spec.Tolerations?.Count)
        {
            return;
        }

        _loop.Enqueue(ObjectKeys.KeyOf(pod));
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var pod = _pods.Lister.Get(ns, name);
        if (pod is null || pod.Metadata.DeletionTimestamp is not null || string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            Cancel(key, pod, withEvent: false);
            return;
        }

        var taints = Taints.NoExecuteOf(_nodes.Lister.Get(pod.Spec.NodeName));
        if (taints.Count == 0)
        {
            Cancel(key, pod, withEvent: true);
            return;
        }

        var now = _context.Time.GetUtcNow();
        if (!Tolerations.TryGetMatchingTolerations(taints, pod.Spec.Tolerations, out var used))
        {
            await EvictAsync(key, pod, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (Taints.MinTolerationTime(used) is not { } toleration)
        {
            // Tolerated for ever.
            Cancel(key, pod, withEvent: true);
            return;
        }

        DateTimeOffset fireAt;
        lock (_lock)
        {
            if (!_scheduled.TryGetValue(key, out var scheduled) || scheduled.Uid != pod.Metadata.Uid)
            {
                scheduled = (now, pod.Metadata.Uid);
                _scheduled[key] = scheduled;
            }

            fireAt = scheduled.CreatedAt + toleration;
        }

        if (fireAt <= now)
        {
            await EvictAsync(key, pod, cancellationToken).ConfigureAwait(false);
            return;
        }

        _loop.EnqueueAfter(key, fireAt - now);
    }

    private void Cancel(string key, V1Pod? pod, bool withEvent)
    {
        bool had;
        lock (_lock) had = _scheduled.Remove(key);
        if (had && withEvent && pod is not null)
        {
            _recorder.Event(pod, EventTypes.Normal, "TaintManagerEviction", $"Cancelling deletion of Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}");
        }
    }

    private async Task EvictAsync(string key, V1Pod cached, CancellationToken cancellationToken)
    {
        var ns = cached.Metadata.NamespaceProperty;
        var name = cached.Metadata.Name;
        _recorder.Event(cached, EventTypes.Normal, "TaintManagerEviction", $"Marking for deletion Pod {ns}/{name}");
        LogEvicting(_logger, ns, name, cached.Spec.NodeName);
        try
        {
            await AddDisruptionTargetAsync(cached, cancellationToken).ConfigureAwait(false);
            await _context.Client.CoreV1.DeleteNamespacedPodAsync(
                name, ns, new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = cached.Metadata.Uid } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }

        lock (_lock) _scheduled.Remove(key);
    }

    private async Task AddDisruptionTargetAsync(V1Pod cached, CancellationToken cancellationToken)
    {
        if (PodConditions.Get(cached, "DisruptionTarget")?.Status == "True") return;
        var pod = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(cached));
        pod.Status ??= new V1PodStatus();
        pod.Status.Conditions ??= new List<V1PodCondition>();
        var condition = new V1PodCondition
        {
            Type = "DisruptionTarget",
            Status = "True",
            Reason = "DeletionByTaintManager",
            Message = "Taint manager: deleting due to NoExecute taint",
            LastTransitionTime = _context.Time.GetUtcNow().UtcDateTime,
        };
        var index = -1;
        for (var i = 0; i < pod.Status.Conditions.Count; i++)
        {
            if (pod.Status.Conditions[i].Type == condition.Type) index = i;
        }

        if (index >= 0) pod.Status.Conditions[index] = condition;
        else pod.Status.Conditions.Add(condition);
        await _context.Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static bool SameTaints(IReadOnlyList<V1Taint> a, IReadOnlyList<V1Taint> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i].Key != b[i].Key || a[i].Value != b[i].Value || a[i].Effect != b[i].Effect) return false;
        }

        return true;
    }

    public void Dispose()
    {
        _nodeRegistration.Dispose();
        _podRegistration.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting pod {Namespace}/{Pod} from node {Node}: NoExecute taint")]
    private static partial void LogEvicting(ILogger logger, string @namespace, string pod, string node);
}
