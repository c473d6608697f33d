using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Scheduling;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.DaemonSet;

/// <summary>
/// Runs one pod of each DaemonSet on every node it fits, as kube-controller-manager's DaemonSet controller:
/// creates pods pinned to their node by required node affinity (the scheduler binds them), deletes pods from
/// nodes that no longer fit, replaces failed pods with back-off, rolls template changes out within
/// maxUnavailable (or on delete), and keeps the status counts.
/// </summary>
/// <remarks>
/// apps/v1 ControllerRevisions are not served by our API server, so the template revision is a hash of the
/// template itself (see <see cref="TemplateHash"/>) in the <c>controller-revision-hash</c> label, with the
/// <c>deprecated.daemonset.template.generation</c> annotation beside it, and no revision history is kept.
/// </remarks>
public sealed partial class DaemonSetController : IController
{
    public const string RevisionHashLabel = "controller-revision-hash";
    public const string TemplateGenerationAnnotation = "deprecated.daemonset.template.generation";
    public const string Component = "daemonset-controller";

    /// <summary>Pods controlled by a DaemonSet, by the DaemonSet's UID (no other pods are indexed).</summary>
    internal const string OwnerIndex = "daemonset-controller-uid";

    // As the upstream controller's BurstReplicas: at most this many creates or deletes per sync.
    private const int BurstReplicas = 250;

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<V1DaemonSet> _daemonSets;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly SharedIndexInformer<V1Node> _nodes;
    private readonly IEventRecorder _recorder;
    private readonly PodControl _podControl;
    private readonly ControllerExpectations _expectations;
    private readonly FailedPodBackoff _backoff;
    private readonly ReconcileLoop _loop;
    private readonly ILogger _logger;
    private readonly List<EventHandlerRegistration> _registrations = [];

    public DaemonSetController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<DaemonSetController>();
        _recorder = context.Recorder(Component);
        _podControl = new PodControl(context.Client, _recorder);
        _expectations = new ControllerExpectations(context.Time);
        _backoff = new FailedPodBackoff(context.Time);
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);
        _daemonSets = context.Informers.For<V1DaemonSet>();
        _pods = context.Informers.For<V1Pod>();
        _nodes = context.Informers.For<V1Node>();
        EnsureOwnerIndex(_pods.Indexer);

        _registrations.Add(_daemonSets.AddEventHandler(new ResourceEventHandler<V1DaemonSet>(
            (ds, _) => _loop.Enqueue(ObjectKeys.KeyOf(ds)),
            (_, ds) => _loop.Enqueue(ObjectKeys.KeyOf(ds)),
            (ds, _) => OnDaemonSetDeleted(ds))));
        _registrations.Add(_pods.AddEventHandler(new ResourceEventHandler<V1Pod>(
            (pod, _) => OnPodAdded(pod),
            OnPodUpdated,
            (pod, _) => OnPodDeleted(pod))));
        _registrations.Add(_nodes.AddEventHandler(new ResourceEventHandler<V1Node>(
            (node, _) => OnNodeAdded(node),
            OnNodeUpdated,
            (_, _) => EnqueueAll())));
    }

    public static ControllerDescriptor Descriptor { get; } = new("daemonset", static context => new DaemonSetController(context));

    public string Name => "daemonset";

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_context.Options.Workers, cancellationToken);

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    /// <summary>Whether <paramref name="pod"/> runs the DaemonSet's current template (util.IsPodUpdated).</summary>
    internal static bool IsPodUpdated(V1Pod pod, string hash, long? generation)
    {
        var labels = pod.Metadata.Labels;
        if (labels is not null && labels.TryGetValue(RevisionHashLabel, out var podHash)) return podHash == hash;
        return generation is { } g
            && pod.Metadata.Annotations?.TryGetValue(TemplateGenerationAnnotation, out var podGeneration) == true
            && podGeneration == g.ToString(CultureInfo.InvariantCulture);
    }

    private static void EnsureOwnerIndex(Indexer<V1Pod> indexer)
    {
        try
        {
            indexer.AddIndex(OwnerIndex, static pod => DaemonSetOwner(pod)?.Uid);
        }
        catch (InvalidOperationException)
        {
            // Registered by an earlier leadership term on the same shared informer; the function is the same.
        }
    }

    private static V1OwnerReference? DaemonSetOwner(V1Pod pod) =>
        OwnerReferences.ControllerOf(pod.Metadata) is { Kind: "DaemonSet" } owner && owner.ApiVersion?.StartsWith("apps/", StringComparison.Ordinal) == true
            ? owner
            : null;

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var ds = _daemonSets.Lister.Get(ns, name);
        if (ds is null)
        {
            _expectations.Delete(key);
            _backoff.ForgetPrefix(key + "/");
            return;
        }

        var state = Snapshot(ds);
        if (ds.Metadata.DeletionTimestamp is null && _expectations.Satisfied(key))
        {
            var acted = await ManageAsync(key, ds, state, cancellationToken).ConfigureAwait(false);
            if (!acted && ds.Spec.UpdateStrategy?.Type != "OnDelete" && _expectations.Satisfied(key))
            {
                await RollingUpdateAsync(key, ds, state, cancellationToken).ConfigureAwait(false);
            }
        }

        await UpdateStatusAsync(key, ds, Snapshot(ds), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The nodes, the DaemonSet's pods by target node, and the current revision, read from the caches.</summary>
    private DaemonSetState Snapshot(V1DaemonSet ds)
    {
        var byNode = new Dictionary<string, List<V1Pod>>(StringComparer.Ordinal);
        foreach (var pod in _pods.Indexer.ByIndex(OwnerIndex, ds.Metadata.Uid))
        {
            if (pod.Metadata.NamespaceProperty != ds.Metadata.NamespaceProperty) continue;
            if (DaemonPlacement.TargetNodeName(pod) is not { } node) continue;
            if (!byNode.TryGetValue(node, out var list)) byNode[node] = list = [];
            list.Add(pod);
        }

        return new DaemonSetState(
            _nodes.Indexer.List(),
            byNode,
            new DaemonPlacement(ds.Spec.Template?.Spec),
            TemplateHash.Compute(ds.Spec.Template, ds.Status?.CollisionCount));
    }

    /// <summary>
    /// As the upstream manage step: pods where they are missing, none where they do not belong, failed and
    /// duplicate pods removed. Deletions go first and creations wait for the next sync, because one expectations
    /// entry counts either. Returns true when it asked for any change.
    /// </summary>
    private async Task<bool> ManageAsync(string key, V1DaemonSet ds, DaemonSetState state, CancellationToken cancellationToken)
    {
        var create = new List<string>();
        var delete = new List<V1Pod>();
        var nodeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in state.Nodes)
        {
            var nodeName = node.Metadata.Name;
            nodeNames.Add(nodeName);
            var (shouldRun, shouldContinueRunning) = state.Placement.Evaluate(node);
            state.PodsByNode.TryGetValue(nodeName, out var pods);
            var exists = pods is { Count: > 0 };
            if (shouldRun && !exists)
            {
                create.Add(nodeName);
            }
            else if (shouldContinueRunning && pods is not null)
            {
                var running = new List<V1Pod>();
                foreach (var pod in pods)
                {
                    if (pod.Metadata.DeletionTimestamp is not null) continue;
                    if (pod.Status?.Phase == "Failed")
                    {
                        var backoffKey = key + "/" + nodeName;
                        if (_backoff.InBackoff(backoffKey, out var delay))
                        {
                            _loop.EnqueueAfter(key, delay);
                            continue;
                        }

                        _backoff.Next(backoffKey);
                        _recorder.Event(ds, EventTypes.Warning, "FailedDaemonPod",
                            $"Found failed daemon pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} on node {nodeName}, will try to kill it");
                        delete.Add(pod);
                    }
                    else if (pod.Status?.Phase == "Succeeded")
                    {
                        _recorder.Event(ds, EventTypes.Warning, "SucceededDaemonPod",
                            $"Found succeeded daemon pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} on node {nodeName}, will try to delete it");
                        delete.Add(pod);
                    }
                    else
                    {
                        running.Add(pod);
                    }
                }

                if (running.Count > 1)
                {
                    // More than one daemon on a node: keep the oldest scheduled one.
                    running.Sort(CompareByScheduledAndAge);
                    delete.AddRange(running.Skip(1));
                }
            }
            else if (!shouldContinueRunning && pods is not null)
            {
                foreach (var pod in pods)
                {
                    if (pod.Metadata.DeletionTimestamp is null) delete.Add(pod);
                }
            }
        }

        // Pods waiting for a node that is gone are deleted here; bound pods of deleted nodes are the pod GC's.
        foreach (var (nodeName, pods) in state.PodsByNode)
        {
            if (nodeNames.Contains(nodeName)) continue;
            foreach (var pod in pods)
            {
                if (string.IsNullOrEmpty(pod.Spec?.NodeName) && pod.Metadata.DeletionTimestamp is null) delete.Add(pod);
            }
        }

        if (delete.Count > 0)
        {
            await DeletePodsAsync(key, ds, delete, cancellationToken).ConfigureAwait(false);
            return true;
        }

        if (create.Count > 0)
        {
            await CreatePodsAsync(key, ds, state, create, cancellationToken).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    private async Task RollingUpdateAsync(string key, V1DaemonSet ds, DaemonSetState state, CancellationToken cancellationToken)
    {
        var desired = 0;
        foreach (var node in state.Nodes)
        {
            if (state.Placement.Evaluate(node).ShouldRun) desired++;
        }

        var now = _context.Time.GetUtcNow();
        var minReadySeconds = ds.Spec.MinReadySeconds ?? 0;
        var generation = ds.Metadata.Generation;
        var hash = state.Hash;
        var delete = DaemonRollingUpdate.PodsToDelete(
            state.PodsByNode,
            pod => IsPodUpdated(pod, hash, generation),
            pod => PodConditions.IsAvailable(pod, minReadySeconds, now),
            DaemonRollingUpdate.MaxUnavailable(ds, desired));
        if (delete.Count > 0)
        {
            LogRollingUpdate(_logger, key, delete.Count);
            await DeletePodsAsync(key, ds, delete, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CreatePodsAsync(string key, V1DaemonSet ds, DaemonSetState state, List<string> nodes, CancellationToken cancellationToken)
    {
        if (nodes.Count > BurstReplicas) nodes = nodes.GetRange(0, BurstReplicas);
        _expectations.ExpectCreations(key, nodes.Count);
        var controllerRef = OwnerReferences.ControllerRef(ds, "apps/v1", "DaemonSet");
        var generation = ds.Metadata.Generation?.ToString(CultureInfo.InvariantCulture);
        var template = ds.Spec.Template ?? new V1PodTemplateSpec();
        var next = 0;
        Exception? failure = null;
        // Slow start, as slowStartBatch: 1, 2, 4, ... creates at once, stopping at the first failing batch so a
        // quota or admission error costs one request, not hundreds.
        for (var batch = 1; next < nodes.Count && failure is null; batch *= 2)
        {
            var size = Math.Min(batch, nodes.Count - next);
            var tasks = new Task[size];
            for (var i = 0; i < size; i++)
            {
                var nodeName = nodes[next + i];
                tasks[i] = CreateOneAsync(key, ds, template, controllerRef, state, nodeName, generation, cancellationToken);
            }

            next += size;
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = e;
            }
        }

        for (var i = next; i < nodes.Count; i++)
        {
            _expectations.CreationSkipped(key);
        }

        if (failure is not null) throw new InvalidOperationException($"creating daemon pods for {key} failed", failure);
    }

    private async Task CreateOneAsync(
        string key, V1DaemonSet ds, V1PodTemplateSpec template, V1OwnerReference controllerRef, DaemonSetState state,
        string nodeName, string? generation, CancellationToken cancellationToken)
    {
        try
        {
            await _podControl.CreateAsync(ds.Metadata.NamespaceProperty, template, ds, controllerRef, cancellationToken, customize: pod =>
            {
                pod.Metadata.Labels ??= new Dictionary<string, string>();
                pod.Metadata.Labels[RevisionHashLabel] = state.Hash;
                if (generation is not null)
                {
                    pod.Metadata.Annotations ??= new Dictionary<string, string>();
                    pod.Metadata.Annotations[TemplateGenerationAnnotation] = generation;
                }

                pod.Spec.Tolerations = [.. state.Placement.Tolerations];
                pod.Spec.Affinity = DaemonPlacement.PinToNode(pod.Spec.Affinity, nodeName);
            }).ConfigureAwait(false);
        }
        catch
        {
            _expectations.CreationSkipped(key);
            throw;
        }
    }

    private async Task DeletePodsAsync(string key, V1DaemonSet ds, List<V1Pod> pods, CancellationToken cancellationToken)
    {
        if (pods.Count > BurstReplicas) pods = pods.GetRange(0, BurstReplicas);
        _expectations.ExpectDeletions(key, pods.Count);
        var tasks = new Task[pods.Count];
        for (var i = 0; i < pods.Count; i++)
        {
            tasks[i] = DeleteOneAsync(key, ds, pods[i], cancellationToken);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task DeleteOneAsync(string key, V1DaemonSet ds, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await _podControl.DeleteAsync(pod, ds, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _expectations.DeletionSkipped(key);
            throw;
        }
    }

    private async Task UpdateStatusAsync(string key, V1DaemonSet ds, DaemonSetState state, CancellationToken cancellationToken)
    {
        var now = _context.Time.GetUtcNow();
        var minReadySeconds = ds.Spec.MinReadySeconds ?? 0;
        int desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
        foreach (var node in state.Nodes)
        {
            var shouldRun = state.Placement.Evaluate(node).ShouldRun;
            var scheduled = state.PodsByNode.TryGetValue(node.Metadata.Name, out var pods) && pods.Count > 0;
            if (shouldRun)
            {
                desired++;
                if (!scheduled) continue;
                current++;
                pods!.Sort(CompareByScheduledAndAge);
                var pod = pods[0];
                if (PodConditions.IsReady(pod))
                {
                    ready++;
                    if (PodConditions.IsAvailable(pod, minReadySeconds, now)) available++;
                }

                if (IsPodUpdated(pod, state.Hash, ds.Metadata.Generation)) updated++;
            }
            else if (scheduled)
            {
                misscheduled++;
            }
        }

        var status = ds.Status ?? new V1DaemonSetStatus();
        if (status.DesiredNumberScheduled != desired || status.CurrentNumberScheduled != current
            || status.NumberMisscheduled != misscheduled || status.NumberReady != ready
            || (status.NumberAvailable ?? 0) != available || (status.NumberUnavailable ?? 0) != desired - available
            || (status.UpdatedNumberScheduled ?? 0) != updated || status.ObservedGeneration != ds.Metadata.Generation)
        {
            var copy = KubernetesJson.Deserialize<V1DaemonSet>(KubernetesJson.Serialize(ds));
            copy.Status ??= new V1DaemonSetStatus();
            copy.Status.DesiredNumberScheduled = desired;
            copy.Status.CurrentNumberScheduled = current;
            copy.Status.NumberMisscheduled = misscheduled;
            copy.Status.NumberReady = ready;
            copy.Status.NumberAvailable = available;
            copy.Status.NumberUnavailable = desired - available;
            copy.Status.UpdatedNumberScheduled = updated;
            copy.Status.ObservedGeneration = ds.Metadata.Generation;
            await _context.Client.AppsV1.ReplaceNamespacedDaemonSetStatusAsync(
                copy, ds.Metadata.Name, ds.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        // Pods become available minReadySeconds after they are ready, with no event to say so: look again then.
        if (minReadySeconds > 0 && ready != available) _loop.EnqueueAfter(key, TimeSpan.FromSeconds(minReadySeconds));
    }

    /// <summary>podByCreationTimestampAndPhase: scheduled pods first, then oldest, then by name.</summary>
    private static int CompareByScheduledAndAge(V1Pod a, V1Pod b)
    {
        var aScheduled = !string.IsNullOrEmpty(a.Spec?.NodeName);
        var bScheduled = !string.IsNullOrEmpty(b.Spec?.NodeName);
        if (aScheduled != bScheduled) return aScheduled ? -1 : 1;
        var byAge = Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
        return byAge != 0 ? byAge : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name);
    }

    private void OnDaemonSetDeleted(V1DaemonSet ds)
    {
        var key = ObjectKeys.KeyOf(ds);
        _expectations.Delete(key);
        _loop.Enqueue(key);
    }

    private string? OwnerKey(V1Pod pod)
    {
        if (DaemonSetOwner(pod) is not { } owner) return null;
        var ds = _daemonSets.Lister.Get(pod.Metadata.NamespaceProperty, owner.Name);
        return ds is not null && ds.Metadata.Uid == owner.Uid ? ObjectKeys.KeyOf(ds) : null;
    }

    private void OnPodAdded(V1Pod pod)
    {
        if (OwnerKey(pod) is not { } key) return;
        // A pod already being deleted when first seen (after a restart) counts as a deletion, as upstream.
        if (pod.Metadata.DeletionTimestamp is not null) _expectations.DeletionObserved(key);
        else _expectations.CreationObserved(key);
        _loop.Enqueue(key);
    }

    private void OnPodUpdated(V1Pod old, V1Pod pod)
    {
        if (old.Metadata.ResourceVersion == pod.Metadata.ResourceVersion) return;
        var key = OwnerKey(pod);
        var oldKey = OwnerKey(old);
        if (oldKey is not null && oldKey != key) _loop.Enqueue(oldKey);
        if (key is null) return;
        // Graceful deletion starting is the deletion the controller waits for; the pod may linger for its grace period.
        if (old.Metadata.DeletionTimestamp is null && pod.Metadata.DeletionTimestamp is not null) _expectations.DeletionObserved(key);
        _loop.Enqueue(key);
    }

    private void OnPodDeleted(V1Pod pod)
    {
        if (OwnerKey(pod) is not { } key) return;
        if (pod.Metadata.DeletionTimestamp is null) _expectations.DeletionObserved(key);
        _loop.Enqueue(key);
    }

    private void OnNodeAdded(V1Node node)
    {
        foreach (var ds in _daemonSets.Indexer.List())
        {
            if (new DaemonPlacement(ds.Spec?.Template?.Spec).Evaluate(node).ShouldRun) _loop.Enqueue(ObjectKeys.KeyOf(ds));
        }
    }

    private void OnNodeUpdated(V1Node old, V1Node node)
    {
        // Heartbeats change a node's status every few seconds; only what placement reads matters here.
        if (NodeChanges.Between(old, node, NodeChange.Labels | NodeChange.Taints) == NodeChange.None) return;
        foreach (var ds in _daemonSets.Indexer.List())
        {
            var placement = new DaemonPlacement(ds.Spec?.Template?.Spec);
            if (placement.Evaluate(old) != placement.Evaluate(node)) _loop.Enqueue(ObjectKeys.KeyOf(ds));
        }
    }

    private void EnqueueAll()
    {
        foreach (var ds in _daemonSets.Indexer.List())
        {
            _loop.Enqueue(ObjectKeys.KeyOf(ds));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DaemonSet {Key}: rolling update deletes {Count} old pods")]
    private static partial void LogRollingUpdate(ILogger logger, string key, int count);

    private sealed record DaemonSetState(
        IReadOnlyList<V1Node> Nodes,
        Dictionary<string, List<V1Pod>> PodsByNode,
        DaemonPlacement Placement,
        string Hash);
}
