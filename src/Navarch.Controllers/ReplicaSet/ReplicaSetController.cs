using System.Collections.Concurrent;
using System.Net;
using System.Runtime.ExceptionServices;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api;
using Navarch.Api.Labels;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.ReplicaSet;

/// <summary>
/// Keeps each ReplicaSet's number of pods at <c>spec.replicas</c>, as kube-controller-manager's replicaset
/// controller: claims pods (adopting matching orphans, releasing pods that stop matching), creates missing pods in
/// slow-start batches and deletes surplus ones least valuable first, at most <see cref="BurstReplicas"/> per sync,
/// guarded by expectations so a stale cache never makes it act twice; then reports replicas, fullyLabeledReplicas,
/// readyReplicas, availableReplicas, observedGeneration and the ReplicaFailure condition through <c>/status</c>.
/// </summary>
public sealed partial class ReplicaSetController : IController
{
    public const string ControllerName = "replicaset";

    /// <summary>The events' source component, as upstream.</summary>
    public const string Component = "replicaset-controller";

    /// <summary>Most pods created or deleted in one sync (the controller's burstReplicas).</summary>
    public const int BurstReplicas = 500;

    internal const string OwnerApiVersion = "apps/v1";
    internal const string OwnerKind = "ReplicaSet";

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<V1ReplicaSet> _replicaSets;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly ControllerExpectations _expectations;
    private readonly DeletionTracker _deletions = new();
    private readonly PodControl _podControl;
    private readonly PodClaimer _claimer;
    private readonly ReconcileLoop _loop;
    private readonly ILogger _logger;

    // Parsed selectors by ReplicaSet UID: apps/v1 selectors are immutable, and pod events look them up for every
    // ReplicaSet of a namespace, so parsing once per ReplicaSet keeps handlers cheap.
    private readonly ConcurrentDictionary<string, LabelSelector?> _selectors = new(StringComparer.Ordinal);
    private readonly EventHandlerRegistration _replicaSetHandler;
    private readonly EventHandlerRegistration _podHandler;

    internal ReplicaSetController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<ReplicaSetController>();
        _expectations = new ControllerExpectations(context.Time);
        _podControl = new PodControl(context.Client, context.Recorder(Component));
        _claimer = new PodClaimer(context.Client, _logger);
        _loop = new ReconcileLoop(ControllerName, SyncAsync, _logger, context.Time);
        _replicaSets = context.Informers.For<V1ReplicaSet>();
        _pods = context.Informers.For<V1Pod>();
        ControllerUidIndex.Register(_replicaSets.Indexer);
        ControllerUidIndex.Register(_pods.Indexer);
        _replicaSetHandler = _replicaSets.AddEventHandler(new ResourceEventHandler<V1ReplicaSet>(
            (rs, _) => Enqueue(rs), OnReplicaSetUpdate, (rs, _) => OnReplicaSetDelete(rs)));
        _podHandler = _pods.AddEventHandler(new ResourceEventHandler<V1Pod>(
            (pod, _) => OnPodAdd(pod), OnPodUpdate, (pod, _) => OnPodDelete(pod)));
    }

    /// <summary>The replicaset controller for kube-controller-manager's <c>--controllers</c>.</summary>
    public static ControllerDescriptor Descriptor { get; } = new(ControllerName, context => new ReplicaSetController(context));

    public string Name => ControllerName;

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_context.Options.Workers, cancellationToken);

    public void Dispose()
    {
        _replicaSetHandler.Dispose();
        _podHandler.Dispose();
    }

    private void Enqueue(V1ReplicaSet rs) => _loop.Enqueue(ObjectKeys.KeyOf(rs));

    private void OnReplicaSetUpdate(V1ReplicaSet old, V1ReplicaSet current)
    {
        if (old.Metadata.Uid != current.Metadata.Uid)
        {
            // Deleted and created again under the same name between two events: forget what the old one awaited.
            OnReplicaSetDelete(old);
        }

        Enqueue(current);
    }

    private void OnReplicaSetDelete(V1ReplicaSet rs)
    {
        var key = ObjectKeys.KeyOf(rs);
        _expectations.Delete(key);
        _deletions.Forget(key);
        if (rs.Metadata.Uid is { } uid) _selectors.TryRemove(uid, out _);
        _loop.Enqueue(key);
    }

    private void OnPodAdd(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // A pod that is already on its way out (seen at start, or a fast delete) counts as a deletion.
            OnPodDelete(pod);
            return;
        }

        if (OwnerReferences.ControllerOf(pod.Metadata) is { } reference)
        {
            if (Resolve(pod.Metadata.NamespaceProperty, reference) is not { } rs) return;
            var key = ObjectKeys.KeyOf(rs);
            _expectations.CreationObserved(key);
            _loop.Enqueue(key);
            return;
        }

        // An orphan: every matching ReplicaSet may want to adopt it. No expectation is observed, none waits for orphans.
        EnqueueMatching(pod);
    }

    private void OnPodUpdate(V1Pod old, V1Pod current)
    {
        // Periodic resyncs send the same object again; nothing changed.
        if (old.Metadata.ResourceVersion == current.Metadata.ResourceVersion) return;
        var labelsChanged = !SameLabels(old.Metadata.Labels, current.Metadata.Labels);
        if (current.Metadata.DeletionTimestamp is not null)
        {
            // Graceful deletion: count it now rather than when the kubelet finally removes the pod, so a
            // replacement is created promptly. If labels changed too, the old owner may have to hear of it.
            OnPodDelete(current);
            if (labelsChanged) OnPodDelete(old);
            return;
        }

        var currentRef = OwnerReferences.ControllerOf(current.Metadata);
        var oldRef = OwnerReferences.ControllerOf(old.Metadata);
        var refChanged = currentRef?.Uid != oldRef?.Uid;
        if (refChanged && oldRef is not null && Resolve(old.Metadata.NamespaceProperty, oldRef) is { } previous)
        {
            Enqueue(previous);
        }

        if (currentRef is not null)
        {
            if (Resolve(current.Metadata.NamespaceProperty, currentRef) is { } rs) Enqueue(rs);
            return;
        }

        if (labelsChanged || refChanged) EnqueueMatching(current);
    }

    private void OnPodDelete(V1Pod pod)
    {
        if (OwnerReferences.ControllerOf(pod.Metadata) is not { } reference) return;
        if (Resolve(pod.Metadata.NamespaceProperty, reference) is not { } rs) return;
        var key = ObjectKeys.KeyOf(rs);
        if (_deletions.Observe(key, ObjectKeys.KeyOf(pod))) _expectations.DeletionObserved(key);
        _loop.Enqueue(key);
    }

    /// <summary>The cached ReplicaSet a controller reference points at, if it is a ReplicaSet with that UID.</summary>
    private V1ReplicaSet? Resolve(string ns, V1OwnerReference reference)
    {
        if (reference.Kind != OwnerKind) return null;
        var rs = _replicaSets.Lister.Get(ns, reference.Name);
        return rs?.Metadata.Uid == reference.Uid ? rs : null;
    }

    private void EnqueueMatching(V1Pod pod)
    {
        if (pod.Metadata.Labels is not { Count: > 0 }) return;
        foreach (var rs in _replicaSets.Lister.List(pod.Metadata.NamespaceProperty))
        {
            if (Selector(rs) is { IsEmpty: false } selector && selector.Matches(pod.Metadata)) Enqueue(rs);
        }
    }

    /// <summary>The ReplicaSet's selector, or null when it cannot be parsed (the API server should have refused it).</summary>
    private LabelSelector? Selector(V1ReplicaSet rs) => _selectors.GetOrAdd(rs.Metadata.Uid ?? string.Empty, static (_, spec) =>
    {
        try
        {
            return LabelSelector.FromLabelSelector(spec?.Selector);
        }
        catch (SelectorParseException)
        {
            return null;
        }
    }, rs.Spec);

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || other != value) return false;
        }

        return true;
    }

    /// <summary>Level-triggered: reads the ReplicaSet and its pods from the caches and converges them; safe to repeat.</summary>
    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var rs = _replicaSets.Lister.Get(ns, name);
        if (rs is null)
        {
            _expectations.Delete(key);
            _deletions.Forget(key);
            return;
        }

        // Read before listing pods: observations arriving later only make the cache fresher than this decision.
        var needsSync = _expectations.Satisfied(key);
        if (Selector(rs) is not { } selector)
        {
            LogInvalidSelector(_logger, key);
            return;
        }

        var uid = rs.Metadata.Uid;
        var candidates = new List<V1Pod>();
        AddActive(candidates, ControllerUidIndex.Controlled(_pods.Indexer, uid));
        AddActive(candidates, ControllerUidIndex.Orphans(_pods.Indexer, ns));
        var pods = await _claimer.ClaimAsync(rs, selector, candidates, cancellationToken).ConfigureAwait(false);

        Exception? manageError = null;
        if (needsSync && rs.Metadata.DeletionTimestamp is null)
        {
            manageError = await ManageReplicasAsync(key, rs, pods, cancellationToken).ConfigureAwait(false);
        }

        var now = _context.Time.GetUtcNow();
        var status = ReplicaSetStatusCalculator.Calculate(rs, pods, manageError, now);
        await UpdateStatusAsync(rs, status, cancellationToken).ConfigureAwait(false);

        // minReadySeconds: come back when the next ready pod becomes available, so the count is on time.
        if (manageError is null
            && ReplicaSetStatusCalculator.UntilNextAvailable(pods, rs.Spec?.MinReadySeconds ?? 0, now) is { } wait)
        {
            _loop.EnqueueAfter(key, wait + AvailabilitySlack);
        }

        if (manageError is not null) ExceptionDispatchInfo.Throw(manageError);
    }

    // Timestamps have whole seconds and clocks tick coarsely; syncing a little late beats syncing a little early.
    private static readonly TimeSpan AvailabilitySlack = TimeSpan.FromMilliseconds(100);

    private static void AddActive(List<V1Pod> into, IReadOnlyList<V1Pod> pods)
    {
        foreach (var pod in pods)
        {
            if (PodConditions.IsActive(pod)) into.Add(pod);
        }
    }

    /// <summary>Creates or deletes pods towards spec.replicas; returns the first failure, which also ends the sync with a retry.</summary>
    private async Task<Exception?> ManageReplicasAsync(string key, V1ReplicaSet rs, List<V1Pod> pods, CancellationToken cancellationToken)
    {
        var diff = pods.Count - (rs.Spec?.Replicas ?? 1);
        if (diff < 0)
        {
            var toCreate = Math.Min(-diff, BurstReplicas);
            LogScalingUp(_logger, key, toCreate, pods.Count, rs.Spec?.Replicas ?? 1);

            // Expect all of them first: the informer may report a new pod before its create call returns.
            if (rs.Spec?.Template is not { } template) return new InvalidOperationException($"ReplicaSet {key} has no pod template");
            _expectations.ExpectCreations(key, toCreate);
            var controllerRef = OwnerReferences.ControllerRef(rs, OwnerApiVersion, OwnerKind);
            var result = await SlowStartBatch.RunAsync(toCreate, SlowStartBatch.InitialBatchSize, async ct =>
            {
                try
                {
                    await _podControl.CreateAsync(rs.Metadata.NamespaceProperty, template, rs, controllerRef, ct).ConfigureAwait(false);
                }
                catch (k8s.Autorest.HttpOperationException e) when (ApiErrors.IsNamespaceTerminating(e))
                {
                    // As upstream: every create would fail the same way and the namespace is going away; not an error.
                }
            }, cancellationToken).ConfigureAwait(false);

            // Creates never attempted or failed will never be observed; lower the expectations for them.
            for (var skipped = toCreate - result.Successes; skipped > 0; skipped--)
            {
                _expectations.CreationSkipped(key);
            }

            return result.Error;
        }

        if (diff > 0)
        {
            var toDelete = Math.Min(diff, BurstReplicas);
            LogScalingDown(_logger, key, toDelete, pods.Count, rs.Spec?.Replicas ?? 1);
            var victims = ActivePodsRanking.LeastValuable(pods, RelatedPods(rs), toDelete, _context.Time.GetUtcNow());
            var victimKeys = new string[victims.Count];
            for (var i = 0; i < victims.Count; i++) victimKeys[i] = ObjectKeys.KeyOf(victims[i]);
            _deletions.Expect(key, victimKeys);
            _expectations.ExpectDeletions(key, victims.Count);
            var deletes = new Task<Exception?>[victims.Count];
            for (var i = 0; i < victims.Count; i++)
            {
                deletes[i] = DeleteAsync(key, rs, victims[i], victimKeys[i], cancellationToken);
            }

            foreach (var error in await Task.WhenAll(deletes).ConfigureAwait(false))
            {
                if (error is not null) return error;
            }
        }

        return null;
    }

    private async Task<Exception?> DeleteAsync(string key, V1ReplicaSet rs, V1Pod pod, string podKey, CancellationToken cancellationToken)
    {
        try
        {
            await _podControl.DeleteAsync(pod, rs, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            // The informer will not report a deletion that did not happen.
            if (_deletions.Observe(key, podKey)) _expectations.DeletionObserved(key);
            return ApiErrors.Is(e, HttpStatusCode.NotFound) ? null : e;
        }
    }

    /// <summary>
    /// The pods of every ReplicaSet with the same controller (a Deployment's old and new ReplicaSets), whose
    /// placement ranks which pods to delete, as getIndirectlyRelatedPods. A ReplicaSet without a controller has none.
    /// </summary>
    private List<V1Pod> RelatedPods(V1ReplicaSet rs)
    {
        var related = new List<V1Pod>();
        if (OwnerReferences.ControllerOf(rs.Metadata) is not { Uid: { } ownerUid }) return related;
        foreach (var sibling in ControllerUidIndex.Controlled(_replicaSets.Indexer, ownerUid))
        {
            if (sibling.Metadata.NamespaceProperty != rs.Metadata.NamespaceProperty) continue;
            related.AddRange(ControllerUidIndex.Controlled(_pods.Indexer, sibling.Metadata.Uid));
        }

        return related;
    }

    /// <summary>
    /// Writes <paramref name="status"/> through /status when it differs from what the ReplicaSet reports, with the
    /// observed generation; on a conflict reads the ReplicaSet again and tries once more, as upstream.
    /// </summary>
    private async Task UpdateStatusAsync(V1ReplicaSet rs, V1ReplicaSetStatus status, CancellationToken cancellationToken)
    {
        var generation = rs.Metadata.Generation;
        if (ReplicaSetStatusCalculator.IsCurrent(rs.Status, status, generation)) return;
        status.ObservedGeneration = generation;

        // The cached object is shared with every reader: write a copy.
        var copy = KubernetesJson.Deserialize<V1ReplicaSet>(KubernetesJson.Serialize(rs));
        copy.Status = status;
        try
        {
            await ReplaceStatusAsync(copy, cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (ApiErrors.Is(e, HttpStatusCode.Conflict))
        {
            var fresh = await _context.Client.AppsV1.ReadNamespacedReplicaSetAsync(
                rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (fresh.Metadata.Uid != rs.Metadata.Uid) return;
            fresh.Status = status;
            await ReplaceStatusAsync(fresh, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task ReplaceStatusAsync(V1ReplicaSet rs, CancellationToken cancellationToken) =>
        _context.Client.AppsV1.ReplaceNamespacedReplicaSetStatusAsync(
            rs, rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: cancellationToken);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ReplicaSet {Key}: too few replicas, creating {Count} (have {Have}, need {Need})")]
    private static partial void LogScalingUp(ILogger logger, string key, int count, int have, int need);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ReplicaSet {Key}: too many replicas, deleting {Count} (have {Have}, need {Need})")]
    private static partial void LogScalingDown(ILogger logger, string key, int count, int have, int need);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ReplicaSet {Key} has an invalid selector; not syncing it")]
    private static partial void LogInvalidSelector(ILogger logger, string key);
}
