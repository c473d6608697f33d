using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Job;

namespace Navarch.Controllers.CronJob;

/// <summary>
/// Starts Jobs on a cron schedule as Kubernetes' CronJob controller (v2, 1.32): at each due start (in
/// <c>spec.timeZone</c>, else the process' zone) it creates <c>&lt;name&gt;-&lt;minutes since epoch&gt;</c> from the
/// job template, honouring <c>concurrencyPolicy</c>, <c>startingDeadlineSeconds</c> and <c>suspend</c>; tracks
/// <c>status.active</c>, <c>lastScheduleTime</c> and <c>lastSuccessfulTime</c>; deletes finished Jobs past the history
/// limits; and requeues itself for the next start with the controller's clock.
/// </summary>
public sealed partial class CronJobController : IController
{
    public const string Component = "cronjob-controller";

    /// <summary>Jobs by the uid of the CronJob that controls them.</summary>
    private const string JobsByCronJobIndex = "cronjob-controller/cronjob-uid";

    /// <summary>Added to the requeue so the sync runs just after the start time, not a hair before it.</summary>
    private static readonly TimeSpan RequeueSlack = TimeSpan.FromMilliseconds(100);

    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly ControllerManagerOptions _options;
    private readonly IEventRecorder _recorder;
    private readonly SharedIndexInformer<V1CronJob> _cronJobs;
    private readonly SharedIndexInformer<V1Job> _jobs;
    private readonly ReconcileLoop _loop;
    private readonly List<EventHandlerRegistration> _registrations = [];
    private readonly ILogger _logger;

    public CronJobController(ControllerContext context)
    {
        _client = context.Client;
        _time = context.Time;
        _options = context.Options;
        _recorder = context.Recorder(Component);
        _logger = context.Loggers.CreateLogger<CronJobController>();
        _loop = new ReconcileLoop("cronjob", SyncAsync, _logger, context.Time);
        _cronJobs = context.Informers.For<V1CronJob>();
        _jobs = context.Informers.For<V1Job>();
        JobController.TryAddIndex(_jobs.Indexer, JobsByCronJobIndex,
            static job => OwnerReferences.ControllerOf(job.Metadata) is { Kind: "CronJob" } owner ? owner.Uid : null);
        _registrations.Add(_cronJobs.AddEventHandler(new ResourceEventHandler<V1CronJob>(
            (cronJob, _) => _loop.Enqueue(ObjectKeys.KeyOf(cronJob)),
            (_, cronJob) => _loop.Enqueue(ObjectKeys.KeyOf(cronJob)))));
        _registrations.Add(_jobs.AddEventHandler(new ResourceEventHandler<V1Job>(
            (job, _) => EnqueueOwner(job),
            (_, job) => EnqueueOwner(job),
            (job, _) => EnqueueOwner(job))));
    }

    public static ControllerDescriptor Descriptor { get; } = new("cronjob", context => new CronJobController(context));

    public string Name => "cronjob";

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_options.Workers, cancellationToken);

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _registrations.Clear();
    }

    private void EnqueueOwner(V1Job job)
    {
        if (OwnerReferences.ControllerOf(job.Metadata) is { Kind: "CronJob" } owner)
        {
            _loop.Enqueue(ObjectKeys.Key(job.Metadata.NamespaceProperty, owner.Name));
        }
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        if (_cronJobs.Lister.Get(ns, name) is not { } cached) return;

        // Cached objects are shared: work on a copy.
        var cronJob = KubernetesJson.Deserialize<V1CronJob>(KubernetesJson.Serialize(cached));
        var status = cronJob.Status ??= new V1CronJobStatus();
        var baseline = KubernetesJson.Serialize(status);
        var jobs = new List<V1Job>();
        foreach (var job in _jobs.Indexer.ByIndex(JobsByCronJobIndex, cronJob.Metadata.Uid))
        {
            if (job.Metadata.NamespaceProperty == ns) jobs.Add(job);
        }

        await ReconcileActiveAsync(cronJob, jobs, cancellationToken).ConfigureAwait(false);
        var next = await ScheduleAsync(cronJob, jobs, cancellationToken).ConfigureAwait(false);
        await CleanUpFinishedAsync(cronJob, jobs, cancellationToken).ConfigureAwait(false);

        if (KubernetesJson.Serialize(cronJob.Status) != baseline)
        {
            // A replace with the cached resourceVersion: a stale cache conflicts and the sync retries.
            await _client.BatchV1.ReplaceNamespacedCronJobStatusAsync(cronJob, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (next is { } at)
        {
            var delay = at - _time.GetUtcNow() + RequeueSlack;
            _loop.EnqueueAfter(key, delay > TimeSpan.Zero ? delay : RequeueSlack);
        }
    }

    /// <summary>
    /// Brings <c>status.active</c> in line with the Jobs: running children are listed, finished ones leave it
    /// (SawCompletedJob) and update lastSuccessfulTime, and references to Jobs that are gone are dropped.
    /// </summary>
    private async Task ReconcileActiveAsync(V1CronJob cronJob, List<V1Job> jobs, CancellationToken cancellationToken)
    {
        var status = cronJob.Status;
        var active = status.Active?.ToList() ?? [];
        foreach (var job in jobs)
        {
            var listed = active.Any(r => r.Uid == job.Metadata.Uid);
            if (!JobConditions.IsFinished(job))
            {
                if (!listed && job.Metadata.DeletionTimestamp is null) active.Add(CronJobTemplates.ReferenceTo(job));
                continue;
            }

            if (listed)
            {
                active.RemoveAll(r => r.Uid == job.Metadata.Uid);
                var condition = JobConditions.IsTrue(job.Status, JobConditions.Complete) ? JobConditions.Complete : JobConditions.Failed;
                _recorder.Event(cronJob, EventTypes.Normal, "SawCompletedJob", $"Saw completed job: {job.Metadata.Name}, condition: {condition}");
            }

            if (JobConditions.IsTrue(job.Status, JobConditions.Complete) && job.Status?.CompletionTime is { } completed
                && (status.LastSuccessfulTime is not { } last || completed > last))
            {
                status.LastSuccessfulTime = completed;
            }
        }

        // A reference to a Job the cache does not hold may be one created a moment ago: ask the server before dropping it.
        foreach (var reference in active.ToList())
        {
            if (jobs.Any(j => j.Metadata.Uid == reference.Uid)) continue;
            if (!await JobExistsAsync(reference, cancellationToken).ConfigureAwait(false))
            {
                active.Remove(reference);
            }
        }

        status.Active = active.Count > 0 ? active : null;
    }

    private async Task<bool> JobExistsAsync(V1ObjectReference reference, CancellationToken cancellationToken)
    {
        try
        {
            var job = await _client.BatchV1.ReadNamespacedJobAsync(reference.Name, reference.NamespaceProperty, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return job.Metadata.Uid == reference.Uid;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Starts the Job that is due, if any; returns when to look again (null: only on a change).</summary>
    private async Task<DateTimeOffset?> ScheduleAsync(V1CronJob cronJob, List<V1Job> jobs, CancellationToken cancellationToken)
    {
        var spec = cronJob.Spec;
        var status = cronJob.Status;
        if (cronJob.Metadata.DeletionTimestamp is not null) return null;

        var zone = TimeZoneInfo.Local;
        if (!string.IsNullOrEmpty(spec.TimeZone))
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(spec.TimeZone);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                _recorder.Event(cronJob, EventTypes.Warning, "UnknownTimeZone", $"invalid timeZone: \"{spec.TimeZone}\": unknown time zone {spec.TimeZone}");
                return null;
            }
        }

        if (CronSchedule.TryParse(spec.Schedule ?? "", out var error) is not { } schedule)
        {
            _recorder.Event(cronJob, EventTypes.Warning, "UnparseableSchedule", $"unparseable schedule: \"{spec.Schedule}\" : {error}");
            return null;
        }

        if (spec.Suspend == true) return null;

        var now = _time.GetUtcNow();
        var earliest = Utc(status.LastScheduleTime ?? cronJob.Metadata.CreationTimestamp) ?? now;
        if (spec.StartingDeadlineSeconds is { } deadline && now.AddSeconds(-deadline) > earliest)
        {
            earliest = now.AddSeconds(-deadline);
        }

        var next = schedule.Next(now, zone);
        var missed = MissedSchedules.Find(schedule, earliest, now, zone);
        if (missed.Count > MissedSchedules.TooMany)
        {
            _recorder.Event(cronJob, EventTypes.Warning, "TooManyMissedTimes",
                $"too many missed start times: {missed.Count}. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        }

        if (missed.MostRecent is not { } scheduled) return next;

        if (spec.StartingDeadlineSeconds is { } seconds && scheduled.AddSeconds(seconds) < now)
        {
            _recorder.Event(cronJob, EventTypes.Warning, "MissSchedule",
                $"Missed scheduled time to start a job: {scheduled.UtcDateTime:ddd, dd MMM yyyy HH:mm:ss} +0000");
            return next;
        }

        var jobName = CronJobTemplates.JobName(cronJob.Metadata.Name, scheduled);
        var active = status.Active?.ToList() ?? [];
        if (active.Any(r => r.Name == jobName))
        {
            // Started already (an earlier sync's status write may have been lost): only the record is missing.
            if (status.LastScheduleTime is not { } recorded || Utc(recorded) < scheduled) status.LastScheduleTime = scheduled.UtcDateTime;
            return next;
        }

        if (spec.ConcurrencyPolicy == "Forbid" && active.Count > 0)
        {
            // As Kubernetes: the start stays due and runs once the prior Job is done, if still within the deadline.
            _recorder.Event(cronJob, EventTypes.Normal, "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid");
            return next;
        }

        if (spec.ConcurrencyPolicy == "Replace")
        {
            foreach (var reference in active.ToList())
            {
                await DeleteJobAsync(cronJob, reference.Name, reference.Uid, cancellationToken).ConfigureAwait(false);
                active.Remove(reference);
                jobs.RemoveAll(j => j.Metadata.Uid == reference.Uid);
            }
        }

        var job = CronJobTemplates.JobFor(cronJob, TimeZoneInfo.ConvertTime(scheduled, zone));
        V1Job created;
        try
        {
            created = await _client.BatchV1.CreateNamespacedJobAsync(job, job.Metadata.NamespaceProperty, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            _recorder.Event(cronJob, EventTypes.Normal, "SuccessfulCreate", $"Created job {created.Metadata.Name}");
            LogCreated(_logger, created.Metadata.NamespaceProperty, created.Metadata.Name);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Already created (by an earlier sync whose status update was lost): the start happened.
            created = await _client.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, job.Metadata.NamespaceProperty, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            if (!OwnerReferences.IsControlledBy(created.Metadata, cronJob.Metadata.Uid)) throw;
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            _recorder.Event(cronJob, EventTypes.Warning, "FailedCreate", $"Error creating job: {e.Response.Content}");
            throw;
        }

        if (!JobConditions.IsFinished(created) && !active.Any(r => r.Uid == created.Metadata.Uid))
        {
            active.Add(CronJobTemplates.ReferenceTo(created));
        }

        status.Active = active.Count > 0 ? active : null;
        status.LastScheduleTime = scheduled.UtcDateTime;
        return next;
    }

    /// <summary>Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit.</summary>
    private async Task CleanUpFinishedAsync(V1CronJob cronJob, List<V1Job> jobs, CancellationToken cancellationToken)
    {
        var succeeded = new List<V1Job>();
        var failed = new List<V1Job>();
        foreach (var job in jobs)
        {
            if (job.Metadata.DeletionTimestamp is not null) continue;
            if (JobConditions.IsTrue(job.Status, JobConditions.Complete)) succeeded.Add(job);
            else if (JobConditions.IsTrue(job.Status, JobConditions.Failed)) failed.Add(job);
        }

        await DeleteOldestAsync(cronJob, succeeded, cronJob.Spec.SuccessfulJobsHistoryLimit, cancellationToken).ConfigureAwait(false);
        await DeleteOldestAsync(cronJob, failed, cronJob.Spec.FailedJobsHistoryLimit, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteOldestAsync(V1CronJob cronJob, List<V1Job> finished, int? limit, CancellationToken cancellationToken)
    {
        if (limit is not { } keep || finished.Count <= keep) return;

        // Oldest first by start time, as Kubernetes' byJobStartTime (jobs not started yet sort last, then by name).
        var ordered = finished
            .OrderBy(j => j.Status?.StartTime is null ? 1 : 0)
            .ThenBy(j => j.Status?.StartTime ?? j.Metadata.CreationTimestamp)
            .ThenBy(j => j.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var job in ordered.Take(finished.Count - keep))
        {
            await DeleteJobAsync(cronJob, job.Metadata.Name, job.Metadata.Uid, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeleteJobAsync(V1CronJob cronJob, string name, string? uid, CancellationToken cancellationToken)
    {
        try
        {
            await _client.BatchV1.DeleteNamespacedJobAsync(name, cronJob.Metadata.NamespaceProperty, new V1DeleteOptions
            {
                PropagationPolicy = "Background",
                Preconditions = uid is null ? null : new V1Preconditions { Uid = uid },
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            _recorder.Event(cronJob, EventTypes.Normal, "SuccessfulDelete", $"Deleted job {name}");
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            _recorder.Event(cronJob, EventTypes.Warning, "FailedDelete", $"Deleted job: {e.Response.Content}");
            throw;
        }
    }

    private static DateTimeOffset? Utc(DateTime? time) =>
        time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "CronJob created Job {Namespace}/{Name}")]
    private static partial void LogCreated(ILogger logger, string @namespace, string name);
}
