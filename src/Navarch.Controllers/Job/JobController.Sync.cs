using k8s;
using k8s.Models;
using Navarch.Client.Events;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Job;

public sealed partial class JobController
{
    /// <summary>One pass of syncJob over a copy of the Job and the pods it controls.</summary>
    private sealed class JobSync(JobController controller, string key, V1Job job, IReadOnlyList<V1Pod> pods)
    {
        private const string BackoffLimitExceeded = "BackoffLimitExceeded";
        private const string DeadlineExceeded = "DeadlineExceeded";

        private readonly DateTimeOffset _now = controller._time.GetUtcNow();
        private readonly bool _indexed = job.Spec.CompletionMode == "Indexed";
        private V1Job _job = job;
        private SortedSet<int> _completed = [];

        private V1JobSpec Spec => _job.Spec;

        private V1JobStatus Status => _job.Status ??= new V1JobStatus();

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var completions = Spec.Completions;
            _completed = _indexed ? CompletedIndexes.Parse(Status.CompletedIndexes, completions ?? 0) : [];
            await CountFinishedPodsAsync(cancellationToken).ConfigureAwait(false);

            var baseline = KubernetesJson.Serialize(Status);
            var succeeded = Status.Succeeded ?? 0;
            var failed = Status.Failed ?? 0;
            var suspended = Spec.Suspend == true;
            var active = pods.Where(PodConditions.IsActive).ToList();
            var terminating = pods.Count(p => p.Metadata.DeletionTimestamp is not null && !PodConditions.IsTerminal(p));

            (string Reason, string Message)? failure = null;
            if (failed > (Spec.BackoffLimit ?? 6))
            {
                failure = (BackoffLimitExceeded, "Job has reached the specified backoff limit");
            }
            else if (!suspended && PastDeadline())
            {
                failure = (DeadlineExceeded, "Job was active longer than specified deadline");
            }

            var complete = failure is null && (_indexed
                ? _completed.Count >= (completions ?? 0)
                : completions is { } wanted ? succeeded >= wanted : succeeded > 0 && active.Count == 0);

            var activeCount = active.Count;
            if (failure is { } f)
            {
                terminating += await DeleteAllAsync(active, cancellationToken).ConfigureAwait(false);
                activeCount = 0;
                JobConditions.Set(Status, "FailureTarget", "True", f.Reason, f.Message, _now);
                JobConditions.Set(Status, JobConditions.Failed, "True", f.Reason, f.Message, _now);
                controller._recorder.Event(_job, EventTypes.Warning, f.Reason, f.Message);
                LogFinished(controller._logger, key, JobConditions.Failed, f.Reason);
            }
            else if (complete)
            {
                terminating += await DeleteAllAsync(active, cancellationToken).ConfigureAwait(false);
                activeCount = 0;
                const string reason = "CompletionsReached";
                const string message = "Reached expected number of succeeded pods";
                JobConditions.Set(Status, "SuccessCriteriaMet", "True", reason, message, _now);
                JobConditions.Set(Status, JobConditions.Complete, "True", reason, message, _now);
                Status.CompletionTime = _now.UtcDateTime;
                controller._recorder.Event(_job, EventTypes.Normal, "Completed", "Job completed");
                LogFinished(controller._logger, key, JobConditions.Complete, reason);
            }
            else if (suspended)
            {
                terminating += await DeleteAllAsync(active, cancellationToken).ConfigureAwait(false);
                activeCount = 0;
                if (!JobConditions.IsTrue(Status, JobConditions.Suspended))
                {
                    JobConditions.Set(Status, JobConditions.Suspended, "True", "JobSuspended", "Job suspended", _now);
                    controller._recorder.Event(_job, EventTypes.Normal, "Suspended", "Job suspended");
                }

                // As Kubernetes, the deadline counts from the (next) resumption.
                Status.StartTime = null;
            }
            else
            {
                if (JobConditions.IsTrue(Status, JobConditions.Suspended))
                {
                    JobConditions.Set(Status, JobConditions.Suspended, "False", "JobResumed", "Job resumed", _now);
                    controller._recorder.Event(_job, EventTypes.Normal, "Resumed", "Job resumed");
                    Status.StartTime = _now.UtcDateTime;
                }

                Status.StartTime ??= _now.UtcDateTime;
                if (Spec.ActiveDeadlineSeconds is { } seconds && Status.StartTime is { } start)
                {
                    var deadline = new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)).AddSeconds(seconds);
                    controller._loop.EnqueueAfter(key, deadline - _now);
                }

                if (controller._expectations.Satisfied(key))
                {
                    activeCount = await ManageAsync(active, succeeded, cancellationToken).ConfigureAwait(false);
                }
            }

            Status.Active = activeCount;
            Status.Ready = activeCount == 0 ? 0 : active.Count(PodConditions.IsReady);
            Status.Terminating = terminating;

            if (KubernetesJson.Serialize(Status) != baseline)
            {
                _job = await controller.UpdateStatusAsync(_job, cancellationToken).ConfigureAwait(false);
            }
        }

        private bool PastDeadline() =>
            Spec.ActiveDeadlineSeconds is { } seconds && Status.StartTime is { } start
            && _now >= new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)).AddSeconds(seconds);

        /// <summary>
        /// Moves newly finished pods into <c>uncountedTerminatedPods</c> (saved), takes their finalizers off, then
        /// adds them to succeeded/failed (saved again), as trackJobStatusAndRemoveFinalizers. A pod deleted before it
        /// finished counts as failed, as Kubernetes counts it; pods the controller deletes itself lose their
        /// finalizer first and are not counted.
        /// </summary>
        private async Task CountFinishedPodsAsync(CancellationToken cancellationToken)
        {
            var uncounted = Status.UncountedTerminatedPods ?? new V1UncountedTerminatedPods();
            var succeeded = new List<string>(uncounted.Succeeded ?? []);
            var failed = new List<string>(uncounted.Failed ?? []);
            var known = new HashSet<string>(succeeded.Concat(failed), StringComparer.Ordinal);
            var backoff = controller._backoff.GetOrAdd(key, _ => new BackoffRecord());
            var added = false;
            foreach (var pod in pods.OrderBy(p => FinishTime(p) ?? DateTimeOffset.MaxValue))
            {
                var uid = pod.Metadata.Uid;
                if (!JobPodControl.HasFinalizer(pod) || controller._finalizerRemovals.ContainsKey(uid) || known.Contains(uid)) continue;
                if (pod.Status?.Phase == "Succeeded")
                {
                    succeeded.Add(uid);
                    if (_indexed && JobPodControl.IndexOf(pod, Spec.Completions ?? 0) is { } index) _completed.Add(index);
                    backoff.FailuresAfterLastSuccess = 0;
                    backoff.LastFailure = null;
                    added = true;
                }
                else if (pod.Status?.Phase == "Failed" || pod.Metadata.DeletionTimestamp is not null)
                {
                    failed.Add(uid);
                    backoff.FailuresAfterLastSuccess++;
                    var at = FinishTime(pod) ?? _now;
                    if (backoff.LastFailure is not { } last || at > last) backoff.LastFailure = at;
                    added = true;
                }
            }

            if (added)
            {
                Status.UncountedTerminatedPods = new V1UncountedTerminatedPods { Succeeded = succeeded, Failed = failed };
                if (_indexed) Status.CompletedIndexes = CompletedIndexes.Format(_completed);
                _job = await controller.UpdateStatusAsync(_job, cancellationToken).ConfigureAwait(false);
            }

            if (succeeded.Count + failed.Count == 0) return;

            var byUid = pods.ToDictionary(p => p.Metadata.Uid, StringComparer.Ordinal);
            foreach (var uid in succeeded.Concat(failed))
            {
                if (!byUid.TryGetValue(uid, out var pod) || !JobPodControl.HasFinalizer(pod)) continue;
                if (!controller._finalizerRemovals.TryAdd(uid, 0)) continue;
                try
                {
                    await controller._podControl.RemoveFinalizerAsync(pod, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    controller._finalizerRemovals.TryRemove(uid, out _);
                    throw;
                }
            }

            Status.Succeeded = (Status.Succeeded ?? 0) + succeeded.Count;
            Status.Failed = (Status.Failed ?? 0) + failed.Count;
            Status.UncountedTerminatedPods = new V1UncountedTerminatedPods { Succeeded = [], Failed = [] };
            _job = await controller.UpdateStatusAsync(_job, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Creates or deletes pods toward the wanted number of active ones; returns the active count after.</summary>
        private async Task<int> ManageAsync(List<V1Pod> active, int succeeded, CancellationToken cancellationToken)
        {
            var parallelism = Spec.Parallelism ?? 1;
            List<int?> toCreate;
            if (_indexed)
            {
                var completions = Spec.Completions ?? 0;
                var keep = new Dictionary<int, V1Pod>();
                var excess = new List<V1Pod>();
                foreach (var pod in active.OrderBy(p => PodConditions.IsReady(p) ? 0 : 1).ThenBy(p => p.Metadata.CreationTimestamp))
                {
                    var index = JobPodControl.IndexOf(pod, completions);
                    if (index is { } i && !_completed.Contains(i) && keep.TryAdd(i, pod)) continue;
                    excess.Add(pod);
                }

                excess.AddRange(keep.OrderByDescending(p => p.Key).Take(Math.Max(0, keep.Count - parallelism)).Select(p => p.Value));
                await DeleteAllAsync(excess, cancellationToken).ConfigureAwait(false);
                var remaining = keep.Count - Math.Max(0, keep.Count - parallelism);
                toCreate = [.. Enumerable.Range(0, completions)
                    .Where(i => !_completed.Contains(i) && !keep.ContainsKey(i))
                    .Take(Math.Max(0, parallelism - remaining))
                    .Select(i => (int?)i)];
                active.RemoveAll(excess.Contains);
            }
            else
            {
                var want = Spec.Completions is { } completions
                    ? Math.Max(0, Math.Min(parallelism, completions - succeeded))
                    : succeeded > 0 ? Math.Min(active.Count, parallelism) : parallelism;
                if (active.Count > want)
                {
                    // Not-ready and newest first, as Kubernetes prefers to remove pods that have done the least.
                    var excess = active.OrderBy(p => PodConditions.IsReady(p) ? 1 : 0)
                        .ThenByDescending(p => p.Metadata.CreationTimestamp)
                        .Take(active.Count - want).ToList();
                    await DeleteAllAsync(excess, cancellationToken).ConfigureAwait(false);
                    active.RemoveAll(excess.Contains);
                    return active.Count;
                }

                toCreate = [.. Enumerable.Repeat<int?>(null, want - active.Count)];
            }

            if (toCreate.Count == 0) return active.Count;
            var wait = BackoffRemaining();
            if (wait > TimeSpan.Zero)
            {
                controller._loop.EnqueueAfter(key, wait);
                return active.Count;
            }

            LogCreating(controller._logger, key, toCreate.Count, active.Count);
            return active.Count + await CreateAsync(toCreate, cancellationToken).ConfigureAwait(false);
        }

        private TimeSpan BackoffRemaining()
        {
            if (!controller._backoff.TryGetValue(key, out var record) || record.LastFailure is not { } last) return TimeSpan.Zero;
            var remaining = last + controller._options.BackoffFor(record.FailuresAfterLastSuccess) - _now;
            return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }

        /// <summary>Creates pods in batches of 1, 2, 4, ... (slow start), stopping at the first batch with a failure.</summary>
        private async Task<int> CreateAsync(List<int?> indexes, CancellationToken cancellationToken)
        {
            controller._expectations.ExpectCreations(key, indexes.Count);
            var created = 0;
            var batch = 1;
            for (var start = 0; start < indexes.Count; start += batch, batch *= 2)
            {
                var slice = indexes.Skip(start).Take(batch).ToList();
                var tasks = slice.Select(async index =>
                {
                    try
                    {
                        await controller._podControl.CreateAsync(_job, index, cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        controller._expectations.CreationSkipped(key);
                        throw;
                    }
                }).ToList();
                try
                {
                    await Task.WhenAll(tasks).ConfigureAwait(false);
                    created += slice.Count;
                }
                catch
                {
                    // The pods never attempted will not be seen either.
                    for (var i = start + slice.Count; i < indexes.Count; i++) controller._expectations.CreationSkipped(key);
                    throw;
                }
            }

            return created;
        }

        private async Task<int> DeleteAllAsync(List<V1Pod> victims, CancellationToken cancellationToken)
        {
            await Task.WhenAll(victims.Select(pod => controller._podControl.DeleteAsync(pod, _job, cancellationToken))).ConfigureAwait(false);
            return victims.Count;
        }

        /// <summary>When the pod's last container stopped, else when it stopped being ready.</summary>
        private static DateTimeOffset? FinishTime(V1Pod pod)
        {
            DateTime? latest = null;
            foreach (var status in pod.Status?.ContainerStatuses ?? [])
            {
                if (status.State?.Terminated?.FinishedAt is { } at && (latest is null || at > latest)) latest = at;
            }

            latest ??= PodConditions.Get(pod, "Ready")?.LastTransitionTime;
            return latest is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : null;
        }
    }
}
