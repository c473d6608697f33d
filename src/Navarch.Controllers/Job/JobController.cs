using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Job;

/// <summary>
/// Runs batch/v1 Jobs as Kubernetes' Job controller (1.32): keeps up to <c>parallelism</c> pods active until
/// <c>completions</c> succeed (or, without completions, until one succeeded and none is left running), in
/// NonIndexed or Indexed mode; fails the Job past <c>backoffLimit</c> failures or <c>activeDeadlineSeconds</c>;
/// honours <c>suspend</c>; waits an exponential back-off before replacing failed pods. Pods are counted with the
/// <c>batch.kubernetes.io/job-tracking</c> finalizer through <c>status.uncountedTerminatedPods</c>, so a finished
/// pod is counted exactly once even when it is deleted right after finishing.
/// </summary>
public sealed partial class JobController : IController
{
    public const string Component = "job-controller";

    /// <summary>Pods by the uid of the Job that controls them.</summary>
    private const string PodsByJobIndex = "job-controller/job-uid";

    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly JobControllerOptions _options;
    private readonly ControllerManagerOptions _managerOptions;
    private readonly IEventRecorder _recorder;
    private readonly JobPodControl _podControl;
    private readonly SharedIndexInformer<V1Job> _jobs;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly ControllerExpectations _expectations;
    private readonly ReconcileLoop _loop;
    private readonly ReconcileLoop _orphans;
    private readonly ConcurrentDictionary<string, BackoffRecord> _backoff = new(StringComparer.Ordinal);

    /// <summary>Uids of counted pods whose finalizer removal is not yet seen in the cache, as finalizerExpectations.</summary>
    private readonly ConcurrentDictionary<string, byte> _finalizerRemovals = new(StringComparer.Ordinal);

    private readonly List<EventHandlerRegistration> _registrations = [];
    private readonly ILogger _logger;

    public JobController(ControllerContext context)
        : this(context, new JobControllerOptions())
    {
    }

    internal JobController(ControllerContext context, JobControllerOptions options)
    {
        _client = context.Client;
        _time = context.Time;
        _options = options;
        _managerOptions = context.Options;
        _recorder = context.Recorder(Component);
        _podControl = new JobPodControl(context.Client, new PodControl(context.Client, _recorder));
        _logger = context.Loggers.CreateLogger<JobController>();
        _expectations = new ControllerExpectations(context.Time);
        _loop = new ReconcileLoop("job", SyncAsync, _logger, context.Time);
        _orphans = new ReconcileLoop("job-orphan-pods", SyncOrphanPodAsync, _logger, context.Time);
        _jobs = context.Informers.For<V1Job>();
        _pods = context.Informers.For<V1Pod>();
        TryAddIndex(_pods.Indexer, PodsByJobIndex, static pod => JobUidOf(pod));
        _registrations.Add(_jobs.AddEventHandler(new ResourceEventHandler<V1Job>(
            (job, _) => _loop.Enqueue(ObjectKeys.KeyOf(job)),
            (_, job) => _loop.Enqueue(ObjectKeys.KeyOf(job)),
            (job, _) => OnJobDeleted(job))));
        _registrations.Add(_pods.AddEventHandler(new ResourceEventHandler<V1Pod>(
            (pod, _) => OnPodAdded(pod),
            OnPodUpdated,
            (pod, _) => OnPodDeleted(pod))));
    }

    public static ControllerDescriptor Descriptor { get; } = new("job", context => new JobController(context));

    public string Name => "job";

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_loop.RunAsync(_managerOptions.Workers, cancellationToken), _orphans.RunAsync(1, cancellationToken));

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _registrations.Clear();
    }

    /// <summary>
    /// Registers an index unless an earlier leadership term (which shares the informers) already did.
    /// </summary>
    internal static void TryAddIndex<T>(Indexer<T> indexer, string name, Func<T, string?> index)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        try
        {
            indexer.AddIndex(name, index);
        }
        catch (InvalidOperationException e) when (e is not ObjectDisposedException && e.Message.StartsWith("indexer conflict", StringComparison.Ordinal))
        {
            // Same name, same function: the index from the previous term serves this one.
        }
    }

    private static string? JobUidOf(V1Pod pod) =>
        OwnerReferences.ControllerOf(pod.Metadata) is { Kind: "Job" } owner && owner.ApiVersion?.StartsWith("batch/", StringComparison.Ordinal) == true
            ? owner.Uid
            : null;

    private static string? JobKeyOf(V1Pod pod) =>
        OwnerReferences.ControllerOf(pod.Metadata) is { Kind: "Job" } owner ? ObjectKeys.Key(pod.Metadata.NamespaceProperty, owner.Name) : null;

    private void OnJobDeleted(V1Job job)
    {
        var key = ObjectKeys.KeyOf(job);
        _expectations.Delete(key);
        _backoff.TryRemove(key, out _);
        _loop.Enqueue(key);

        // Its pods lose their finalizers now; nobody else would take them off.
        foreach (var pod in _pods.Indexer.ByIndex(PodsByJobIndex, job.Metadata.Uid))
        {
            if (JobPodControl.HasFinalizer(pod)) _orphans.Enqueue(ObjectKeys.KeyOf(pod));
        }
    }

    private void OnPodAdded(V1Pod pod)
    {
        if (JobKeyOf(pod) is not { } key) return;
        _expectations.CreationObserved(key);
        CheckOrphan(pod);
        _loop.Enqueue(key);
    }

    private void OnPodUpdated(V1Pod old, V1Pod pod)
    {
        if (!JobPodControl.HasFinalizer(pod)) _finalizerRemovals.TryRemove(pod.Metadata.Uid, out _);
        var oldKey = JobKeyOf(old);
        var key = JobKeyOf(pod);
        if (oldKey is not null && oldKey != key) _loop.Enqueue(oldKey);
        if (key is null) return;
        CheckOrphan(pod);
        _loop.Enqueue(key);
    }

    private void OnPodDeleted(V1Pod pod)
    {
        _finalizerRemovals.TryRemove(pod.Metadata.Uid, out _);
        if (JobKeyOf(pod) is { } key) _loop.Enqueue(key);
    }

    private void CheckOrphan(V1Pod pod)
    {
        if (!JobPodControl.HasFinalizer(pod) || OwnerReferences.ControllerOf(pod.Metadata) is not { } owner) return;
        var job = _jobs.Lister.Get(pod.Metadata.NamespaceProperty, owner.Name);
        if (job is null || job.Metadata.Uid != owner.Uid) _orphans.Enqueue(ObjectKeys.KeyOf(pod));
    }

    /// <summary>A pod whose Job is gone keeps no tracking finalizer, as Kubernetes' syncOrphanPod.</summary>
    private async Task SyncOrphanPodAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var pod = _pods.Lister.Get(ns, name);
        if (pod is null || !JobPodControl.HasFinalizer(pod)) return;
        if (OwnerReferences.ControllerOf(pod.Metadata) is { Kind: "Job" } owner
            && _jobs.Lister.Get(ns, owner.Name) is { } job && job.Metadata.Uid == owner.Uid)
        {
            return;
        }

        await _podControl.RemoveFinalizerAsync(pod, cancellationToken).ConfigureAwait(false);
    }

    private IReadOnlyList<V1Pod> PodsOf(V1Job job)
    {
        var result = new List<V1Pod>();
        foreach (var pod in _pods.Indexer.ByIndex(PodsByJobIndex, job.Metadata.Uid))
        {
            if (pod.Metadata.NamespaceProperty == job.Metadata.NamespaceProperty) result.Add(pod);
        }

        return result;
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var cached = _jobs.Lister.Get(ns, name);
        if (cached is null)
        {
            _expectations.Delete(key);
            _backoff.TryRemove(key, out _);
            return;
        }

        // Cached objects are shared: work on a copy.
        var job = KubernetesJson.Deserialize<V1Job>(KubernetesJson.Serialize(cached));
        var pods = PodsOf(job);
        if (JobConditions.IsFinished(job) || job.Metadata.DeletionTimestamp is not null)
        {
            await ReleasePodsAsync(pods, cancellationToken).ConfigureAwait(false);
            return;
        }

        var sync = new JobSync(this, key, job, pods);
        await sync.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A finished (or deleted) Job counts nothing more: its pods just lose the tracking finalizer.</summary>
    private async Task ReleasePodsAsync(IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        foreach (var pod in pods)
        {
            if (JobPodControl.HasFinalizer(pod)) await _podControl.RemoveFinalizerAsync(pod, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<V1Job> UpdateStatusAsync(V1Job job, CancellationToken cancellationToken)
    {
        // A replace carries the cached resourceVersion: a stale cache gets a conflict and the sync retries, which
        // is what keeps a pod from being counted twice.
        return await _client.BatchV1.ReplaceNamespacedJobStatusAsync(job, job.Metadata.Name, job.Metadata.NamespaceProperty,
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static bool IsNotFound(Exception e) =>
        e is k8s.Autorest.HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound };

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Key} finished: {Condition} ({Reason})")]
    private static partial void LogFinished(ILogger logger, string key, string condition, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {Key}: creating {Count} pods ({Active} active)")]
    private static partial void LogCreating(ILogger logger, string key, int count, int active);

    /// <summary>Failures since the last success and when the last one happened, for the pod-failure back-off.</summary>
    private sealed class BackoffRecord
    {
        public int FailuresAfterLastSuccess { get; set; }

        public DateTimeOffset? LastFailure { get; set; }
    }
}
