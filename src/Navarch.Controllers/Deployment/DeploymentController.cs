using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api;
using Navarch.Api.Labels;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// Rolls Deployments out through ReplicaSets, as kube-controller-manager's deployment controller: one
/// ReplicaSet per pod template (named <c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c>), RollingUpdate within
/// maxSurge/maxUnavailable or Recreate, revisions and rollbacks, pause, proportional scaling, progress deadline
/// and the status <c>kubectl rollout status</c> reads.
/// </summary>
public sealed partial class DeploymentController : IController
{
    /// <summary>The event source, as upstream.</summary>
    public const string Component = "deployment-controller";

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<V1Deployment> _deployments;
    private readonly SharedIndexInformer<V1ReplicaSet> _replicaSets;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly IEventRecorder _recorder;
    private readonly ILogger _logger;
    private readonly ReconcileLoop _loop;
    private readonly List<EventHandlerRegistration> _registrations = [];

    public DeploymentController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<DeploymentController>();
        _recorder = context.Recorder(Component);
        _deployments = context.Informers.For<V1Deployment>();
        _replicaSets = context.Informers.For<V1ReplicaSet>();
        _pods = context.Informers.For<V1Pod>();
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);
        _registrations.Add(_deployments.AddEventHandler(new ResourceEventHandler<V1Deployment>(
            (d, _) => Enqueue(d),
            (_, d) => Enqueue(d),
            (d, _) => Enqueue(d))));
        _registrations.Add(_replicaSets.AddEventHandler(new ResourceEventHandler<V1ReplicaSet>(
            (rs, _) => OnReplicaSetAdded(rs),
            OnReplicaSetUpdated,
            (rs, _) => OnReplicaSetDeleted(rs))));
        _registrations.Add(_pods.AddEventHandler(new ResourceEventHandler<V1Pod>(onDelete: (pod, _) => OnPodDeleted(pod))));
    }

    /// <summary>The controller as kube-controller-manager names it in <c>--controllers</c>.</summary>
    public static ControllerDescriptor Descriptor { get; } = new("deployment", context => new DeploymentController(context));

    public string Name => "deployment";

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_context.Options.Workers, cancellationToken);

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _registrations.Clear();
    }

    internal void Enqueue(V1Deployment d) => _loop.Enqueue(ObjectKeys.KeyOf(d));

    internal void EnqueueAfter(V1Deployment d, TimeSpan delay) => _loop.EnqueueAfter(ObjectKeys.KeyOf(d), delay);

    private void OnReplicaSetAdded(V1ReplicaSet rs)
    {
        if (rs.Metadata.DeletionTimestamp is not null)
        {
            OnReplicaSetDeleted(rs);
            return;
        }

        if (OwnerReferences.ControllerOf(rs.Metadata) is { } reference)
        {
            if (ResolveController(rs.Metadata.NamespaceProperty, reference) is { } owner) Enqueue(owner);
            return;
        }

        // An orphan: every Deployment that could adopt it takes a look.
        foreach (var d in DeploymentsSelecting(rs)) Enqueue(d);
    }

    private void OnReplicaSetUpdated(V1ReplicaSet old, V1ReplicaSet current)
    {
        if (old.Metadata.ResourceVersion == current.Metadata.ResourceVersion) return;
        var oldRef = OwnerReferences.ControllerOf(old.Metadata);
        var currentRef = OwnerReferences.ControllerOf(current.Metadata);
        var refChanged = oldRef?.Uid != currentRef?.Uid;
        if (refChanged && oldRef is not null && ResolveController(old.Metadata.NamespaceProperty, oldRef) is { } previous) Enqueue(previous);
        if (currentRef is not null)
        {
            if (ResolveController(current.Metadata.NamespaceProperty, currentRef) is { } owner) Enqueue(owner);
            return;
        }

        var labelsChanged = !LabelsEqual(old.Metadata.Labels, current.Metadata.Labels);
        if (labelsChanged || refChanged)
        {
            foreach (var d in DeploymentsSelecting(current)) Enqueue(d);
        }
    }

    private void OnReplicaSetDeleted(V1ReplicaSet rs)
    {
        if (OwnerReferences.ControllerOf(rs.Metadata) is { } reference
            && ResolveController(rs.Metadata.NamespaceProperty, reference) is { } owner)
        {
            Enqueue(owner);
        }
    }

    /// <summary>A Recreate rollout waits for the old pods to be gone, so their deletion wakes it.</summary>
    private void OnPodDeleted(V1Pod pod)
    {
        if (OwnerReferences.ControllerOf(pod.Metadata) is not { Kind: "ReplicaSet" } rsRef) return;
        var rs = _replicaSets.Lister.Get(pod.Metadata.NamespaceProperty, rsRef.Name);
        if (rs is null || rs.Metadata.Uid != rsRef.Uid || OwnerReferences.ControllerOf(rs.Metadata) is not { } dRef) return;
        if (ResolveController(rs.Metadata.NamespaceProperty, dRef) is { } d && !RolloutMath.IsRollingUpdate(d)) Enqueue(d);
    }

    private V1Deployment? ResolveController(string ns, V1OwnerReference reference)
    {
        if (reference.Kind != "Deployment") return null;
        var d = _deployments.Lister.Get(ns, reference.Name);
        return d?.Metadata.Uid == reference.Uid ? d : null;
    }

    private IEnumerable<V1Deployment> DeploymentsSelecting(V1ReplicaSet rs)
    {
        foreach (var d in _deployments.Lister.List(rs.Metadata.NamespaceProperty))
        {
            LabelSelector selector;
            try
            {
                selector = LabelSelector.FromLabelSelector(d.Spec?.Selector);
            }
            catch (SelectorParseException)
            {
                continue;
            }

            // An empty selector would select everything: upstream ignores such Deployments here.
            if (selector.IsEmpty || !selector.Matches(rs.Metadata)) continue;
            yield return d;
        }
    }

    private static bool LabelsEqual(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || other != value) return false;
        }

        return true;
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var cached = _deployments.Lister.Get(ns, name);
        if (cached is null)
        {
            LogDeleted(_logger, key);
            return;
        }

        var sync = new DeploymentSync(this, _context.Client, _recorder, _context.Time, _logger, Copy(cached));
        await sync.RunAsync(
            _replicaSets.Lister.List(ns),
            () => _pods.Lister.List(ns, SafeSelector(cached.Spec?.Selector)),
            cancellationToken).ConfigureAwait(false);
    }

    private static LabelSelector SafeSelector(V1LabelSelector? selector)
    {
        try
        {
            return LabelSelector.FromLabelSelector(selector);
        }
        catch (SelectorParseException)
        {
            return LabelSelector.Nothing;
        }
    }

    /// <summary>A deep copy: objects from the informer cache are shared and never modified.</summary>
    internal static T Copy<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deployment {Key} has been deleted")]
    private static partial void LogDeleted(ILogger logger, string key);
}
