using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Job;

/// <summary>
/// Deletes finished Jobs <c>ttlSecondsAfterFinished</c> after they finished (propagation Background, so the
/// garbage collector removes their pods), as Kubernetes' ttl-after-finished controller.
/// </summary>
public sealed partial class TtlAfterFinishedController : IController
{
    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly ControllerManagerOptions _options;
    private readonly SharedIndexInformer<V1Job> _jobs;
    private readonly ReconcileLoop _loop;
    private readonly EventHandlerRegistration _registration;
    private readonly ILogger _logger;

    public TtlAfterFinishedController(ControllerContext context)
    {
        _client = context.Client;
        _time = context.Time;
        _options = context.Options;
        _logger = context.Loggers.CreateLogger<TtlAfterFinishedController>();
        _loop = new ReconcileLoop("ttl-after-finished", SyncAsync, _logger, context.Time);
        _jobs = context.Informers.For<V1Job>();
        _registration = _jobs.AddEventHandler(new ResourceEventHandler<V1Job>(
            (job, _) => EnqueueIfNeeded(job),
            (_, job) => EnqueueIfNeeded(job)));
    }

    public static ControllerDescriptor Descriptor { get; } = new("ttl-after-finished", context => new TtlAfterFinishedController(context));

    public string Name => "ttl-after-finished";

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_options.Workers, cancellationToken);

    public void Dispose() => _registration.Dispose();

    private void EnqueueIfNeeded(V1Job job)
    {
        if (NeedsCleanup(job)) _loop.Enqueue(ObjectKeys.KeyOf(job));
    }

    private static bool NeedsCleanup(V1Job job) =>
        job.Spec?.TtlSecondsAfterFinished is not null && job.Metadata.DeletionTimestamp is null && JobConditions.IsFinished(job);

    /// <summary>When the Job expires, or null when it never does (no TTL, not finished, already being deleted).</summary>
    internal static DateTimeOffset? ExpiresAt(V1Job job) =>
        NeedsCleanup(job) && JobConditions.FinishedAt(job) is { } finished
            ? finished.AddSeconds(job.Spec.TtlSecondsAfterFinished!.Value) // NeedsCleanup checked it is set.
            : null;

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        if (_jobs.Lister.Get(ns, name) is not { } cached || ExpiresAt(cached) is not { } expires) return;
        var now = _time.GetUtcNow();
        if (expires > now)
        {
            _loop.EnqueueAfter(key, expires - now);
            return;
        }

        // As Kubernetes, check the latest Job from the server: its TTL may have been changed since the cache saw it.
        V1Job fresh;
        try
        {
            fresh = await _client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return;
        }

        if (ExpiresAt(fresh) is not { } freshExpires) return;
        if (freshExpires > now)
        {
            _loop.EnqueueAfter(key, freshExpires - now);
            return;
        }

        try
        {
            await _client.BatchV1.DeleteNamespacedJobAsync(name, ns, new V1DeleteOptions
            {
                PropagationPolicy = "Background",
                Preconditions = new V1Preconditions { Uid = fresh.Metadata.Uid, ResourceVersion = fresh.Metadata.ResourceVersion },
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            LogDeleted(_logger, key);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted finished Job {Key} after its TTL")]
    private static partial void LogDeleted(ILogger logger, string key);
}
