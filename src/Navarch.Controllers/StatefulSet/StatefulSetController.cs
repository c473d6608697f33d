using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Controllers.DaemonSet;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.StatefulSet;

/// <summary>
/// Runs a StatefulSet's pods with stable ordinal identities, as kube-controller-manager's StatefulSet controller
/// (defaultStatefulSetControl): OrderedReady creates <c>web-0..N-1</c> one at a time, each after the previous is
/// Running and Ready, and removes from the highest ordinal one at a time; Parallel does both at once. RollingUpdate
/// replaces pods from the highest ordinal down to the partition, one at a time, each after the last is healthy.
/// </summary>
/// <remarks>
/// Revisions are named <c>&lt;set&gt;-&lt;template hash&gt;</c> as ControllerRevisions would be, but are not stored
/// (the kind is not served): see <see cref="RevisionTemplates"/>. volumeClaimTemplates are ignored until
/// PersistentVolumeClaims are served. Orphaned pods are not adopted.
/// </remarks>
public sealed partial class StatefulSetController : IController
{
    public const string Component = "statefulset-controller";

    /// <summary>Pods controlled by a StatefulSet, by its UID (no other pods are indexed).</summary>
    internal const string OwnerIndex = "statefulset-controller-uid";

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<V1StatefulSet> _sets;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly IEventRecorder _recorder;
    private readonly RevisionTemplates _revisions = new();
    private readonly ReconcileLoop _loop;
    private readonly ILogger _logger;
    private readonly List<EventHandlerRegistration> _registrations = [];

    public StatefulSetController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<StatefulSetController>();
        _recorder = context.Recorder(Component);
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);
        _sets = context.Informers.For<V1StatefulSet>();
        _pods = context.Informers.For<V1Pod>();
        try
        {
            _pods.Indexer.AddIndex(OwnerIndex, static pod => StatefulSetOwner(pod)?.Uid);
        }
        catch (InvalidOperationException)
        {
            // Registered by an earlier leadership term on the same shared informer; the function is the same.
        }

        _registrations.Add(_sets.AddEventHandler(new ResourceEventHandler<V1StatefulSet>(
            (set, _) => _loop.Enqueue(ObjectKeys.KeyOf(set)),
            (_, set) => _loop.Enqueue(ObjectKeys.KeyOf(set)),
            (set, _) =>
            {
                _revisions.Forget(set.Metadata.Uid);
                _loop.Enqueue(ObjectKeys.KeyOf(set));
            })));
        _registrations.Add(_pods.AddEventHandler(new ResourceEventHandler<V1Pod>(
            (pod, _) => EnqueueOwner(pod),
            OnPodUpdated,
            (pod, _) => EnqueueOwner(pod))));
    }

    public static ControllerDescriptor Descriptor { get; } = new("statefulset", static context => new StatefulSetController(context));

    public string Name => "statefulset";

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_context.Options.Workers, cancellationToken);

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    /// <summary>The revision name of a template: <c>&lt;set&gt;-&lt;hash&gt;</c>, as a ControllerRevision would be named.</summary>
    internal static string RevisionName(V1StatefulSet set) =>
        set.Metadata.Name + "-" + TemplateHash.Compute(set.Spec.Template, set.Status?.CollisionCount);

    private static V1OwnerReference? StatefulSetOwner(V1Pod pod) =>
        OwnerReferences.ControllerOf(pod.Metadata) is { Kind: "StatefulSet" } owner && owner.ApiVersion?.StartsWith("apps/", StringComparison.Ordinal) == true
            ? owner
            : null;

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var set = _sets.Lister.Get(ns, name);
        if (set is null) return;

        var pods = new List<V1Pod>();
        foreach (var pod in _pods.Indexer.ByIndex(OwnerIndex, set.Metadata.Uid))
        {
            if (pod.Metadata.NamespaceProperty == ns) pods.Add(pod);
        }

        var updateRevision = RevisionName(set);
        var currentRevision = string.IsNullOrEmpty(set.Status?.CurrentRevision) ? updateRevision : set.Status.CurrentRevision;
        _revisions.Record(set.Metadata.Uid, updateRevision, set.Spec.Template, currentRevision);
        var step = new StatefulSetStep(set, pods, currentRevision, updateRevision, _context.Time.GetUtcNow());
        if (set.Metadata.DeletionTimestamp is null)
        {
            await RunStepAsync(set, step, cancellationToken).ConfigureAwait(false);
        }

        await UpdateStatusAsync(set, step.Status, cancellationToken).ConfigureAwait(false);
        var minReadySeconds = set.Spec.MinReadySeconds ?? 0;
        if (minReadySeconds > 0 && step.Status.ReadyReplicas != step.Status.AvailableReplicas)
        {
            _loop.EnqueueAfter(key, TimeSpan.FromSeconds(minReadySeconds));
        }
    }

    /// <summary>One pass of updateStatefulSet: fix or create replicas, delete condemned pods, then roll the update on.</summary>
    private async Task RunStepAsync(V1StatefulSet set, StatefulSetStep step, CancellationToken cancellationToken)
    {
        var monotonic = set.Spec.PodManagementPolicy != "Parallel";
        var replicas = step.Replicas;
        for (var i = 0; i < replicas.Length; i++)
        {
            var pod = replicas[i];
            if (pod is not null && PodConditions.IsTerminal(pod) && pod.Metadata.DeletionTimestamp is null)
            {
                // Failed (or, for restartPolicy Never, finished) pods are deleted and made again under the same name.
                _recorder.Event(set, EventTypes.Warning, "RecreatingFailedPod",
                    $"StatefulSet {set.Metadata.NamespaceProperty}/{set.Metadata.Name} is recreating failed Pod {pod.Metadata.Name}");
                await DeletePodAsync(set, pod, cancellationToken).ConfigureAwait(false);
                step.Forget(pod);
                // The name stays taken until the deletion is observed; the next sync creates the replacement.
                if (monotonic) return;
                continue;
            }

            if (pod is null)
            {
                var created = await CreatePodAsync(set, step.NewPod(i, _revisions), cancellationToken).ConfigureAwait(false);
                if (created is not null) step.Count(created);
                if (monotonic) return;
                continue;
            }

            // Wait for graceful deletion to finish before making progress; and for this pod to be up before the next.
            if (monotonic && (pod.Metadata.DeletionTimestamp is not null || !step.IsRunningAndReady(pod) || !step.IsAvailable(pod))) return;
        }

        var condemned = step.Condemned;
        var firstUnhealthy = step.FirstUnhealthy;
        for (var target = condemned.Count - 1; target >= 0; target--)
        {
            var pod = condemned[target];
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                if (monotonic) return;
                continue;
            }

            // Ordered scale-down waits for the set to be healthy, except that the first unhealthy pod may go.
            if (monotonic && !step.IsRunningAndReady(pod) && !ReferenceEquals(pod, firstUnhealthy)) return;
            LogScaleDown(_logger, set.Metadata.NamespaceProperty, set.Metadata.Name, pod.Metadata.Name);
            await DeletePodAsync(set, pod, cancellationToken).ConfigureAwait(false);
            if (monotonic) return;
        }

        if (set.Spec.UpdateStrategy?.Type == "OnDelete") return;

        var partition = set.Spec.UpdateStrategy?.RollingUpdate?.Partition ?? 0;
        for (var target = replicas.Length - 1; target >= Math.Max(partition, 0); target--)
        {
            var pod = replicas[target];
            if (pod is null) return;
            if (StatefulPodIdentity.Revision(pod) != step.UpdateRevision && pod.Metadata.DeletionTimestamp is null)
            {
                LogUpdating(_logger, set.Metadata.NamespaceProperty, set.Metadata.Name, pod.Metadata.Name, step.UpdateRevision);
                await DeletePodAsync(set, pod, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (!step.IsHealthy(pod)) return;
        }
    }

    private async Task<V1Pod?> CreatePodAsync(V1StatefulSet set, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            var created = await _context.Client.CoreV1.CreateNamespacedPodAsync(pod, set.Metadata.NamespaceProperty, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            _recorder.Event(set, EventTypes.Normal, "SuccessfulCreate", $"create Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} successful");
            return created;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // The pod exists (our cache is behind, or the old one is still terminating): its events bring us back.
            return null;
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            _recorder.Event(set, EventTypes.Warning, "FailedCreate",
                $"create Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} failed error: {ErrorMessage(e)}");
            throw;
        }
    }

    private async Task DeletePodAsync(V1StatefulSet set, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await _context.Client.CoreV1.DeleteNamespacedPodAsync(
                pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            _recorder.Event(set, EventTypes.Normal, "SuccessfulDelete", $"delete Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} successful");
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            _recorder.Event(set, EventTypes.Warning, "FailedDelete",
                $"delete Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} failed error: {ErrorMessage(e)}");
            throw;
        }
    }

    private async Task UpdateStatusAsync(V1StatefulSet set, V1StatefulSetStatus status, CancellationToken cancellationToken)
    {
        status.ObservedGeneration = set.Metadata.Generation;
        status.CollisionCount = set.Status?.CollisionCount;
        // As completeRollingUpdate: once every pod runs the update revision and is ready, it becomes current.
        if (set.Spec.UpdateStrategy?.Type != "OnDelete" && status.UpdatedReplicas == status.Replicas && status.ReadyReplicas == status.Replicas)
        {
            status.CurrentReplicas = status.UpdatedReplicas;
            status.CurrentRevision = status.UpdateRevision;
        }

        var old = set.Status ?? new V1StatefulSetStatus();
        if (old.Replicas == status.Replicas && (old.ReadyReplicas ?? 0) == (status.ReadyReplicas ?? 0)
            && (old.AvailableReplicas ?? 0) == (status.AvailableReplicas ?? 0) && (old.CurrentReplicas ?? 0) == (status.CurrentReplicas ?? 0)
            && (old.UpdatedReplicas ?? 0) == (status.UpdatedReplicas ?? 0) && old.CurrentRevision == status.CurrentRevision
            && old.UpdateRevision == status.UpdateRevision && old.ObservedGeneration == status.ObservedGeneration)
        {
            return;
        }

        var copy = KubernetesJson.Deserialize<V1StatefulSet>(KubernetesJson.Serialize(set));
        status.Conditions = copy.Status?.Conditions;
        copy.Status = status;
        await _context.Client.AppsV1.ReplaceNamespacedStatefulSetStatusAsync(
            copy, set.Metadata.Name, set.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private void EnqueueOwner(V1Pod pod)
    {
        if (StatefulSetOwner(pod) is { } owner) _loop.Enqueue(ObjectKeys.Key(pod.Metadata.NamespaceProperty, owner.Name));
    }

    private void OnPodUpdated(V1Pod old, V1Pod pod)
    {
        if (old.Metadata.ResourceVersion == pod.Metadata.ResourceVersion) return;
        if (StatefulSetOwner(old) is { } oldOwner && StatefulSetOwner(pod)?.Uid != oldOwner.Uid)
        {
            _loop.Enqueue(ObjectKeys.Key(old.Metadata.NamespaceProperty, oldOwner.Name));
        }

        EnqueueOwner(pod);
    }

    private static string ErrorMessage(k8s.Autorest.HttpOperationException e)
    {
        try
        {
            using var document = JsonDocument.Parse(e.Response.Content);
            if (document.RootElement.TryGetProperty("message", out var message)) return message.GetString() ?? e.Message;
        }
        catch (JsonException)
        {
        }

        return e.Message;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "StatefulSet {Namespace}/{Name}: terminating {Pod} for scale down")]
    private static partial void LogScaleDown(ILogger logger, string @namespace, string name, string pod);

    [LoggerMessage(Level = LogLevel.Information, Message = "StatefulSet {Namespace}/{Name}: terminating {Pod} for update to revision {Revision}")]
    private static partial void LogUpdating(ILogger logger, string @namespace, string name, string pod, string revision);
}
