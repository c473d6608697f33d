using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>
/// Kubernetes' garbage collector: follows ownerReferences across every served resource. A dependent whose owners
/// are all gone is deleted (background propagation); one with a live owner only loses its dangling references.
/// An owner deleted in the foreground (the <c>foregroundDeletion</c> finalizer) has its dependents deleted and
/// keeps the finalizer until no dependent with blockOwnerDeletion remains; an owner deleted with the
/// <c>orphan</c> finalizer has its reference removed from every dependent before the finalizer goes.
/// </summary>
public sealed partial class GarbageCollectorController : IController, IGraphEvents
{
    /// <summary>The finalizer of <c>propagationPolicy: Orphan</c>.</summary>
    public const string OrphanFinalizer = "orphan";

    /// <summary>The finalizer of <c>propagationPolicy: Foreground</c>.</summary>
    public const string ForegroundFinalizer = "foregroundDeletion";

    private const char AttemptToDelete = 'd';
    private const char AttemptToOrphan = 'o';

    private readonly ResourceApi _api;
    private readonly ILogger _logger;
    private readonly int _workers;
    private readonly ReconcileLoop _loop;
    private readonly DependencyGraph _graph = new();
    private readonly AbsentOwnerCache _absent = new(capacity: 500);
    private readonly List<MonitoredResource> _monitors;
    private readonly Dictionary<(string Group, string Kind), MonitoredResource> _byKind = [];
    private readonly Dictionary<(string Group, string Plural), MonitoredResource> _byPlural = [];

    public GarbageCollectorController(ControllerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _api = new ResourceApi(context.Client);
        _logger = context.Loggers.CreateLogger<GarbageCollectorController>();
        _workers = Math.Max(1, context.Options.GarbageCollectorWorkers);
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);

        _monitors = ServedResources.Monitor(context.Informers);
        foreach (var monitor in _monitors)
        {
            _byKind[(monitor.Resource.Group, monitor.Resource.Kind)] = monitor;
            _byPlural[(monitor.Resource.Group, monitor.Resource.Plural)] = monitor;
        }

        // Only now, with the lookup tables complete: attaching replays each cache into the handlers at once.
        foreach (var monitor in _monitors)
        {
            monitor.Attach(this);
        }
    }

    /// <summary>kube-controller-manager's "garbage-collector" controller.</summary>
    public static ControllerDescriptor Descriptor { get; } = new("garbage-collector", context => new GarbageCollectorController(context));

    /// <summary>The event source name Kubernetes' garbage collector uses.</summary>
    public const string Component = "garbage-collector-controller";

    public string Name => "garbage-collector";

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_workers, cancellationToken);

    public void Dispose()
    {
        foreach (var monitor in _monitors)
        {
            monitor.Dispose();
        }
    }

    void IGraphEvents.OnAdd(MonitoredResource resource, V1ObjectMeta metadata)
    {
        var self = RefOf(resource, metadata);
        if (metadata.OwnerReferences is { Count: > 0 } owners)
        {
            foreach (var owner in owners)
            {
                _graph.Add(owner.Uid, self);
            }

            if (!AllOwnersSolidInCache(self, owners)) Enqueue(AttemptToDelete, self);
        }

        EnqueueIfDeleting(self, metadata);
    }

    void IGraphEvents.OnUpdate(MonitoredResource resource, V1ObjectMeta old, V1ObjectMeta current)
    {
        if (old.Uid != current.Uid)
        {
            // Deleted and created again between two observations: two different objects.
            ((IGraphEvents)this).OnDelete(resource, old);
            ((IGraphEvents)this).OnAdd(resource, current);
            return;
        }

        var self = RefOf(resource, current);
        var oldOwners = old.OwnerReferences ?? [];
        var newOwners = current.OwnerReferences ?? [];
        var changed = false;
        foreach (var before in oldOwners)
        {
            var after = Find(newOwners, before.Uid);
            if (after is null)
            {
                _graph.Remove(before.Uid, self);
                EnqueueOwnerIfWaiting(self, before);
                changed = true;
            }
            else if (before.BlockOwnerDeletion == true && after.BlockOwnerDeletion != true)
            {
                EnqueueOwnerIfWaiting(self, before);
                changed = true;
            }
        }

        foreach (var after in newOwners)
        {
            if (Find(oldOwners, after.Uid) is null)
            {
                _graph.Add(after.Uid, self);
                changed = true;
            }
        }

        if (changed && newOwners.Count > 0) Enqueue(AttemptToDelete, self);
        if (old.DeletionTimestamp is null || !SameFinalizers(old, current)) EnqueueIfDeleting(self, current);
    }

    void IGraphEvents.OnDelete(MonitoredResource resource, V1ObjectMeta metadata)
    {
        var self = RefOf(resource, metadata);
        _absent.Add(metadata.Uid);
        foreach (var owner in metadata.OwnerReferences ?? [])
        {
            _graph.Remove(owner.Uid, self);
            EnqueueOwnerIfWaiting(self, owner);
        }

        foreach (var dependent in _graph.DependentsOf(metadata.Uid))
        {
            Enqueue(AttemptToDelete, dependent);
        }
    }

    private MonitoredResource? MonitorOfKind(string? apiVersion, string kind)
    {
        return _byKind.GetValueOrDefault((ApiResource.GroupOf(apiVersion), kind));
    }

    private MonitoredResource? MonitorOf(ApiResource resource)
    {
        return _byPlural.GetValueOrDefault((resource.Group, resource.Plural));
    }

    private static ObjectRef RefOf(MonitoredResource resource, V1ObjectMeta metadata) =>
        new(resource.Resource, resource.Resource.Namespaced ? metadata.NamespaceProperty : null, metadata.Name, metadata.Uid);

    /// <summary>Where an owner named by <paramref name="dependent"/> lives; null when it cannot be resolved.</summary>
    private (MonitoredResource Monitor, ObjectRef Owner)? ResolveOwner(ObjectRef dependent, V1OwnerReference reference)
    {
        var monitor = MonitorOfKind(reference.ApiVersion, reference.Kind);
        if (monitor is null) return null;
        string? ns = null;
        if (monitor.Resource.Namespaced)
        {
            // Owners live in their dependent's namespace; a cluster-scoped dependent cannot have a namespaced owner.
            if (dependent.Namespace is null) return null;
            ns = dependent.Namespace;
        }

        return (monitor, new ObjectRef(monitor.Resource, ns, reference.Name, reference.Uid));
    }

    private bool AllOwnersSolidInCache(ObjectRef self, IList<V1OwnerReference> owners)
    {
        foreach (var reference in owners)
        {
            if (ResolveOwner(self, reference) is not { } resolved) return false;
            var cached = resolved.Monitor.Get(resolved.Owner.Namespace, resolved.Owner.Name);
            if (cached is null || cached.Uid != reference.Uid || IsDeletingDependents(cached)) return false;
        }

        return true;
    }

    private void EnqueueIfDeleting(ObjectRef self, V1ObjectMeta metadata)
    {
        if (metadata.DeletionTimestamp is null) return;
        if (HasFinalizer(metadata, OrphanFinalizer)) Enqueue(AttemptToOrphan, self);
        if (HasFinalizer(metadata, ForegroundFinalizer))
        {
            Enqueue(AttemptToDelete, self);
            foreach (var dependent in _graph.DependentsOf(self.Uid))
            {
                Enqueue(AttemptToDelete, dependent);
            }
        }
    }

    /// <summary>A dependent went or stopped blocking: an owner deleted in the foreground may now be free to go.</summary>
    private void EnqueueOwnerIfWaiting(ObjectRef dependent, V1OwnerReference reference)
    {
        if (ResolveOwner(dependent, reference) is not { } resolved) return;
        var cached = resolved.Monitor.Get(resolved.Owner.Namespace, resolved.Owner.Name);
        if (cached is not null && cached.Uid == reference.Uid && IsDeletingDependents(cached)) Enqueue(AttemptToDelete, resolved.Owner);
    }

    private void Enqueue(char operation, ObjectRef item) =>
        _loop.Enqueue(string.Join('|', operation, item.Resource.Group, item.Resource.Plural, item.Namespace ?? string.Empty, item.Name, item.Uid));

    private Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var parts = key.Split('|');
        if (parts.Length != 6 || MonitorOf(new ApiResource(parts[1], string.Empty, parts[2], string.Empty, false)) is not { } monitor)
        {
            return Task.CompletedTask;
        }

        var item = new ObjectRef(monitor.Resource, parts[3].Length == 0 ? null : parts[3], parts[4], parts[5]);
        return parts[0][0] == AttemptToOrphan
            ? OrphanDependentsAsync(monitor, item, cancellationToken)
            : AttemptToDeleteAsync(monitor, item, cancellationToken);
    }

    /// <summary>As Kubernetes' attemptToDeleteItem: decides from the item's owners whether it goes, and how.</summary>
    private async Task AttemptToDeleteAsync(MonitoredResource monitor, ObjectRef item, CancellationToken cancellationToken)
    {
        var cached = monitor.Get(item.Namespace, item.Name);
        if (cached is null || cached.Uid != item.Uid) return;
        if (cached.DeletionTimestamp is not null && !IsDeletingDependents(cached)) return;
        if (cached.DeletionTimestamp is null && cached.OwnerReferences is not { Count: > 0 }) return;

        // The cache may lag: decide on the object as it is now.
        var latest = await _api.GetMetadataAsync(item.Resource, item.Namespace, item.Name, cancellationToken).ConfigureAwait(false);
        if (latest?.Metadata is not { } meta || meta.Uid != item.Uid) return;
        if (meta.DeletionTimestamp is not null)
        {
            if (IsDeletingDependents(meta)) await ProcessDeletingDependentsAsync(item, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (meta.OwnerReferences is not { Count: > 0 } owners) return;
        List<V1OwnerReference>? solid = null, dangling = null, waiting = null;
        foreach (var reference in owners)
        {
            var state = await ClassifyAsync(item, reference, cancellationToken).ConfigureAwait(false);
            var list = state switch
            {
                OwnerState.Solid => solid ??= [],
                OwnerState.Dangling => dangling ??= [],
                _ => waiting ??= [],
            };
            list.Add(reference);
        }

        if (solid is not null)
        {
            if (dangling is null && waiting is null) return;

            // An owner waiting for its dependents would wait forever on one that another owner keeps alive: drop
            // that reference too, as Kubernetes does.
            var remove = new HashSet<string>(StringComparer.Ordinal);
            foreach (var reference in (IEnumerable<V1OwnerReference>?)dangling ?? []) remove.Add(reference.Uid);
            foreach (var reference in (IEnumerable<V1OwnerReference>?)waiting ?? []) remove.Add(reference.Uid);
            LogRemovingReferences(_logger, item.ToString(), remove.Count);
            await RemoveOwnerReferencesAsync(item, remove, cancellationToken).ConfigureAwait(false);
            return;
        }

        string policy;
        if (waiting is not null && _graph.DependentsOf(item.Uid).Length > 0)
        {
            // The owner is deleted in the foreground and this item has dependents of its own: they go first too.
            policy = "Foreground";
        }
        else if (HasFinalizer(meta, OrphanFinalizer))
        {
            policy = "Orphan";
        }
        else if (HasFinalizer(meta, ForegroundFinalizer))
        {
            policy = "Foreground";
        }
        else
        {
            policy = "Background";
        }

        LogDeleting(_logger, item.ToString(), policy);
        await _api.DeleteAsync(item.Resource, item.Namespace, item.Name, new V1DeleteOptions
        {
            PropagationPolicy = policy,
            Preconditions = new V1Preconditions { Uid = item.Uid },
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As Kubernetes' isDangling: the cache first, a live read before calling an owner gone.</summary>
    private async Task<OwnerState> ClassifyAsync(ObjectRef item, V1OwnerReference reference, CancellationToken cancellationToken)
    {
        if (_absent.Contains(reference.Uid)) return OwnerState.Dangling;
        var monitor = MonitorOfKind(reference.ApiVersion, reference.Kind);
        if (monitor is null)
        {
            // A kind Navarch does not serve cannot be looked up; keeping the dependent is the safe answer.
            LogUnknownOwnerKind(_logger, item.ToString(), reference.ApiVersion, reference.Kind);
            return OwnerState.Solid;
        }

        if (ResolveOwner(item, reference) is not { } resolved)
        {
            LogInvalidNamespace(_logger, item.ToString(), reference.Kind, reference.Name);
            return OwnerState.Dangling;
        }

        var owner = resolved.Owner;
        var cached = monitor.Get(owner.Namespace, owner.Name);
        if (cached is not null && cached.Uid == reference.Uid) return StateOf(cached);
        var live = await _api.GetMetadataAsync(owner.Resource, owner.Namespace, owner.Name, cancellationToken).ConfigureAwait(false);
        if (live?.Metadata is not { } meta || meta.Uid != reference.Uid)
        {
            _absent.Add(reference.Uid);
            return OwnerState.Dangling;
        }

        return StateOf(meta);
    }

    private static OwnerState StateOf(V1ObjectMeta owner) =>
        IsDeletingDependents(owner) ? OwnerState.WaitingForDependentsDeletion : OwnerState.Solid;

    /// <summary>
    /// An owner deleted in the foreground: its dependents are deleted; once none with blockOwnerDeletion remains,
    /// its <c>foregroundDeletion</c> finalizer goes and with it the owner.
    /// </summary>
    private async Task ProcessDeletingDependentsAsync(ObjectRef owner, CancellationToken cancellationToken)
    {
        var blocking = 0;
        foreach (var dependent in _graph.DependentsOf(owner.Uid))
        {
            var monitor = MonitorOf(dependent.Resource);
            var cached = monitor?.Get(dependent.Namespace, dependent.Name);
            if (cached is null || cached.Uid != dependent.Uid) continue;
            var reference = Find(cached.OwnerReferences ?? [], owner.Uid);
            if (reference?.BlockOwnerDeletion != true) continue;
            blocking++;
            if (cached.DeletionTimestamp is null) Enqueue(AttemptToDelete, dependent);
        }

        if (blocking > 0)
        {
            LogWaitingForDependents(_logger, owner.ToString(), blocking);
            return;
        }

        await RemoveFinalizerAsync(owner, ForegroundFinalizer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As Kubernetes' orphanDependents: every dependent loses its reference, then the owner its finalizer.</summary>
    private async Task OrphanDependentsAsync(MonitoredResource monitor, ObjectRef owner, CancellationToken cancellationToken)
    {
        var cached = monitor.Get(owner.Namespace, owner.Name);
        if (cached is null || cached.Uid != owner.Uid || cached.DeletionTimestamp is null || !HasFinalizer(cached, OrphanFinalizer)) return;
        HashSet<string> uid = new(StringComparer.Ordinal) { owner.Uid };
        foreach (var dependent in _graph.DependentsOf(owner.Uid))
        {
            await RemoveOwnerReferencesAsync(dependent, uid, cancellationToken).ConfigureAwait(false);
        }

        LogOrphaned(_logger, owner.ToString());
        await RemoveFinalizerAsync(owner, OrphanFinalizer, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveOwnerReferencesAsync(ObjectRef item, HashSet<string> ownerUids, CancellationToken cancellationToken)
    {
        var latest = await _api.GetMetadataAsync(item.Resource, item.Namespace, item.Name, cancellationToken).ConfigureAwait(false);
        if (latest?.Metadata is not { } meta || meta.Uid != item.Uid || meta.OwnerReferences is null) return;
        var remaining = meta.OwnerReferences.Where(r => !ownerUids.Contains(r.Uid)).ToList();
        if (remaining.Count == meta.OwnerReferences.Count) return;

        // A merge patch replaces the whole list; the resourceVersion makes it fail, and retry, if the list changed meanwhile.
        await _api.PatchMetadataAsync(item.Resource, item.Namespace, item.Name, new JsonObject
        {
            ["ownerReferences"] = remaining.Count == 0 ? null : JsonNode.Parse(KubernetesJson.Serialize(remaining)),
            ["resourceVersion"] = meta.ResourceVersion,
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveFinalizerAsync(ObjectRef item, string finalizer, CancellationToken cancellationToken)
    {
        var latest = await _api.GetMetadataAsync(item.Resource, item.Namespace, item.Name, cancellationToken).ConfigureAwait(false);
        if (latest?.Metadata is not { } meta || meta.Uid != item.Uid || !HasFinalizer(meta, finalizer)) return;
        var remaining = new JsonArray();
        foreach (var other in meta.Finalizers)
        {
            if (other != finalizer) remaining.Add(other);
        }

        LogRemovingFinalizer(_logger, item.ToString(), finalizer);
        await _api.PatchMetadataAsync(item.Resource, item.Namespace, item.Name, new JsonObject
        {
            ["finalizers"] = remaining,
            ["resourceVersion"] = meta.ResourceVersion,
        }, cancellationToken).ConfigureAwait(false);
    }

    private static V1OwnerReference? Find(IList<V1OwnerReference> references, string uid)
    {
        foreach (var reference in references)
        {
            if (reference.Uid == uid) return reference;
        }

        return null;
    }

    private static bool HasFinalizer(V1ObjectMeta metadata, string finalizer) => metadata.Finalizers?.Contains(finalizer) == true;

    private static bool IsDeletingDependents(V1ObjectMeta metadata) =>
        metadata.DeletionTimestamp is not null && HasFinalizer(metadata, ForegroundFinalizer);

    private static bool SameFinalizers(V1ObjectMeta a, V1ObjectMeta b) =>
        (a.Finalizers ?? []).SequenceEqual(b.Finalizers ?? [], StringComparer.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting {Item}: no owner remains (propagationPolicy {Policy})")]
    private static partial void LogDeleting(ILogger logger, string item, string policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removing {Count} owner references from {Item}: its other owners remain")]
    private static partial void LogRemovingReferences(ILogger logger, string item, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orphaned the dependents of {Item}")]
    private static partial void LogOrphaned(ILogger logger, string item);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removing finalizer {Finalizer} from {Item}")]
    private static partial void LogRemovingFinalizer(ILogger logger, string item, string finalizer);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Item} waits for {Count} blocking dependents")]
    private static partial void LogWaitingForDependents(ILogger logger, string item, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Item} names an owner of unknown kind {ApiVersion} {Kind}; keeping it")]
    private static partial void LogUnknownOwnerKind(ILogger logger, string item, string apiVersion, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Item} is cluster-scoped but names the namespaced owner {Kind} {Name}; treating it as absent")]
    private static partial void LogInvalidNamespace(ILogger logger, string item, string kind, string name);
}
