using k8s;
using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Queue;

/// <summary>
/// kube-scheduler's PriorityQueue: an active heap ordered by the profile's QueueSort, a back-off heap ordered by
/// back-off expiry, and a map of unschedulable pods that only cluster events (or a 5 minute timeout) move back.
/// Thread-safe; <see cref="PopAsync"/> waits without blocking a thread.
/// </summary>
public sealed class SchedulingQueue : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly SchedulingQueueOptions _options;
    private readonly PodNominator _nominator;
    private readonly Func<V1Pod, Status>? _preEnqueue;
    private readonly Func<QueuedPodInfo, ClusterEvent, bool>? _isInterested;
    private readonly PodHeap _active;
    private readonly PodHeap _backoff;
    private readonly Dictionary<string, QueuedPodInfo> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InFlightPod> _inFlight = new(StringComparer.Ordinal);
    private TaskCompletionSource? _waiter;
    private ITimer? _backoffTimer;
    private ITimer? _unschedulableTimer;
    private long _schedulingCycle;
    private long _moveRequestCycle = -1;
    private bool _closed;

    /// <param name="less">The QueueSort order of the active queue.</param>
    /// <param name="preEnqueue">PreEnqueue plugins of the pod's profile; a non-success status names the gating plugin.</param>
    /// <param name="isInterested">Whether an event may help a pod rejected by its UnschedulablePlugins; null: always.</param>
    public SchedulingQueue(
        Func<QueuedPodInfo, QueuedPodInfo, bool> less,
        TimeProvider time,
        SchedulingQueueOptions? options = null,
        PodNominator? nominator = null,
        Func<V1Pod, Status>? preEnqueue = null,
        Func<QueuedPodInfo, ClusterEvent, bool>? isInterested = null)
    {
        _time = time;
        _options = options ?? new SchedulingQueueOptions();
        _nominator = nominator ?? new PodNominator();
        _preEnqueue = preEnqueue;
        _isInterested = isInterested;
        _active = new PodHeap(less);
        _backoff = new PodHeap((a, b) => BackoffExpiry(a) < BackoffExpiry(b));
    }

    public PodNominator Nominator => _nominator;

    /// <summary>Incremented by every pop: the number of the scheduling cycle of the last popped pod.</summary>
    public long SchedulingCycle
    {
        get
        {
            lock (_lock) return _schedulingCycle;
        }
    }

    public int ActiveCount
    {
        get
        {
            lock (_lock) return _active.Count;
        }
    }

    public int BackoffCount
    {
        get
        {
            lock (_lock) return _backoff.Count;
        }
    }

    public int UnschedulableCount
    {
        get
        {
            lock (_lock) return _unschedulable.Count;
        }
    }

    /// <summary>Pods in each sub-queue, for the scheduler_pending_pods metric.</summary>
    public (int Active, int Backoff, int Unschedulable, int Gated) PendingPods()
    {
        lock (_lock)
        {
            var gated = 0;
            foreach (var pod in _unschedulable.Values)
            {
                if (pod.Gated) gated++;
            }

            return (_active.Count, _backoff.Count, _unschedulable.Count - gated, gated);
        }
    }

    /// <summary>Every pending pod, for debugging and tests.</summary>
    public IReadOnlyList<V1Pod> PendingPodList()
    {
        lock (_lock)
        {
            List<V1Pod> result = [];
            foreach (var p in _active.Items) result.Add(p.PodInfo.Pod);
            foreach (var p in _backoff.Items) result.Add(p.PodInfo.Pod);
            foreach (var p in _unschedulable.Values) result.Add(p.PodInfo.Pod);
            return result;
        }
    }

    /// <summary>Starts the periodic flushes of completed back-offs (1 s) and long-unschedulable pods (30 s).</summary>
    public void Run()
    {
        lock (_lock)
        {
            if (_closed || _backoffTimer is not null) return;
            _backoffTimer = _time.CreateTimer(_ => FlushBackoffQCompleted(), null, _options.BackoffFlushInterval, _options.BackoffFlushInterval);
            _unschedulableTimer = _time.CreateTimer(
                _ => FlushUnschedulablePodsLeftover(), null, _options.UnschedulableFlushInterval, _options.UnschedulableFlushInterval);
        }
    }

    /// <summary>A new unscheduled pod: to the active queue, or to the unschedulable pods when a PreEnqueue plugin gates it.</summary>
    public void Add(V1Pod pod)
    {
        lock (_lock)
        {
            var qpi = new QueuedPodInfo(new PodInfo(pod), _time.GetUtcNow());
            var key = qpi.PodInfo.Key;
            _unschedulable.Remove(key);
            _backoff.Remove(key);
            MoveToActiveLocked(qpi);
            _nominator.AddNominatedPod(qpi.PodInfo, string.Empty);
        }
    }

    /// <summary>
    /// An update of a pending pod. In the active or back-off queue it is updated in place; an unschedulable pod
    /// moves (to back-off if still backing off) when the update may make it schedulable, e.g. a gate removed.
    /// </summary>
    public void Update(V1Pod oldPod, V1Pod newPod)
    {
        lock (_lock)
        {
            var key = PodKey.Of(newPod);
            var info = new PodInfo(newPod);
            if (_active.Get(key) is { } inActive)
            {
                inActive.PodInfo = info;
                _active.AddOrUpdate(inActive);
                _nominator.UpdateNominatedPod(oldPod, info);
                return;
            }

            if (_backoff.Get(key) is { } inBackoff)
            {
                inBackoff.PodInfo = info;
                _backoff.AddOrUpdate(inBackoff);
                _nominator.UpdateNominatedPod(oldPod, info);
                return;
            }

            if (_unschedulable.TryGetValue(key, out var unschedulable))
            {
                unschedulable.PodInfo = info;
                _nominator.UpdateNominatedPod(oldPod, info);
                if (IsPodUpdated(oldPod, newPod))
                {
                    _unschedulable.Remove(key);
                    if (IsBackingOffLocked(unschedulable))
                    {
                        _backoff.AddOrUpdate(unschedulable);
                    }
                    else
                    {
                        MoveToActiveLocked(unschedulable);
                    }
                }

                return;
            }

            if (_inFlight.TryGetValue(newPod.Metadata?.Uid ?? string.Empty, out var flight))
            {
                // Being scheduled right now: the attempt's outcome decides where the latest object goes.
                flight.Latest = newPod;
                flight.Updated |= IsPodUpdated(oldPod, newPod);
                return;
            }

            var qpi = new QueuedPodInfo(info, _time.GetUtcNow());
            MoveToActiveLocked(qpi);
            _nominator.AddNominatedPod(info, string.Empty);
        }
    }

    /// <summary>Removes the pod from every sub-queue and from the nominator.</summary>
    public void Delete(V1Pod pod)
    {
        lock (_lock)
        {
            var key = PodKey.Of(pod);
            _active.Remove(key);
            _backoff.Remove(key);
            _unschedulable.Remove(key);
            _nominator.DeleteNominatedPodIfExists(pod);
            if (_inFlight.TryGetValue(pod.Metadata?.Uid ?? string.Empty, out var flight)) flight.Deleted = true;
        }
    }

    /// <summary>The next pod to schedule, waiting until there is one; null once the queue is closed.</summary>
    public async ValueTask<QueuedPodInfo?> PopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_closed) return null;
                if (_active.Pop() is { } qpi)
                {
                    qpi.Attempts++;
                    _schedulingCycle++;
                    _inFlight[qpi.PodInfo.Uid] = new InFlightPod();
                    return qpi;
                }

                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Returns a pod whose attempt failed. It goes to the back-off queue when a move request arrived during its
    /// cycle (the event may have made it schedulable) or when no plugin rejected it (an error); otherwise it waits
    /// in the unschedulable pods for an event. Dropped if it was deleted during the attempt. False when the pod
    /// was already queued.
    /// </summary>
    public bool AddUnschedulableIfNotPresent(QueuedPodInfo qpi, long podSchedulingCycle) =>
        Requeue(qpi, podSchedulingCycle) == RequeueOutcome.Queued;

    /// <summary>As <see cref="AddUnschedulableIfNotPresent"/>, telling a deleted pod from one already queued.</summary>
    internal RequeueOutcome Requeue(QueuedPodInfo qpi, long podSchedulingCycle)
    {
        lock (_lock)
        {
            var key = qpi.PodInfo.Key;
            var updatedInFlight = false;
            if (_inFlight.Remove(qpi.PodInfo.Uid, out var flight))
            {
                if (flight.Deleted) return RequeueOutcome.Deleted;
                if (flight.Latest is not null) qpi.PodInfo = new PodInfo(flight.Latest);
                updatedInFlight = flight.Updated;
            }

            if (_unschedulable.ContainsKey(key) || _active.Contains(key) || _backoff.Contains(key)) return RequeueOutcome.AlreadyQueued;

            qpi.Timestamp = _time.GetUtcNow();
            if (_moveRequestCycle >= podSchedulingCycle || updatedInFlight
                || (qpi.UnschedulablePlugins.Count == 0 && qpi.PendingPlugins.Count == 0))
            {
                _backoff.AddOrUpdate(qpi);
            }
            else
            {
                _unschedulable[key] = qpi;
            }

            _nominator.AddNominatedPod(qpi.PodInfo, string.Empty);
            return RequeueOutcome.Queued;
        }
    }

    /// <summary>Ends the in-flight tracking of a pod whose binding cycle finished.</summary>
    public void Done(V1Pod pod)
    {
        lock (_lock) _inFlight.Remove(pod.Metadata?.Uid ?? string.Empty);
    }

    /// <summary>
    /// Moves unschedulable pods that <paramref name="event"/> may help (see the isInterested callback) to the
    /// active queue, or to back-off if they are still backing off, and records a move request for in-flight pods.
    /// </summary>
    public void MoveAllToActiveOrBackoffQueue(ClusterEvent @event, Func<QueuedPodInfo, bool>? preCheck = null)
    {
        lock (_lock)
        {
            List<QueuedPodInfo> pods = [];
            foreach (var pod in _unschedulable.Values)
            {
                if (preCheck is null || preCheck(pod)) pods.Add(pod);
            }

            MovePodsLocked(pods, @event);
        }
    }

    /// <summary>A pod was bound: pods whose required affinity it matches, or that spreading rejected, may fit now.</summary>
    public void AssignedPodAdded(V1Pod pod) => MoveCrossTopology(pod, ClusterEvents.AssignedPodAdd);

    /// <summary>A bound pod changed (e.g. its labels): as <see cref="AssignedPodAdded"/> with the update event.</summary>
    public void AssignedPodUpdated(V1Pod newPod) => MoveCrossTopology(newPod, ClusterEvents.AssignedPodUpdate);

    /// <summary>Moves back-off pods whose back-off has expired to the active queue.</summary>
    public void FlushBackoffQCompleted()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var moved = false;
            while (_backoff.Peek() is { } top && BackoffExpiry(top) <= now)
            {
                _backoff.Pop();
                moved |= MoveToActiveLocked(top);
            }

            if (moved) SignalLocked();
        }
    }

    /// <summary>Retries pods that have been unschedulable longer than podMaxInUnschedulablePodsDuration.</summary>
    public void FlushUnschedulablePodsLeftover()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            List<QueuedPodInfo> pods = [];
            foreach (var pod in _unschedulable.Values)
            {
                if (now - pod.Timestamp > _options.PodMaxInUnschedulablePodsDuration) pods.Add(pod);
            }

            if (pods.Count > 0) MovePodsLocked(pods, ClusterEvents.UnschedulableTimeout);
        }
    }

    /// <summary>When a pod's back-off ends: initial × 2^(attempts-1), capped at the maximum.</summary>
    public DateTimeOffset BackoffExpiry(QueuedPodInfo pod) => pod.Timestamp + BackoffDuration(pod.Attempts);

    public TimeSpan BackoffDuration(int attempts)
    {
        var duration = _options.PodInitialBackoff;
        var max = _options.PodMaxBackoff;
        for (var i = 1; i < attempts; i++)
        {
            if (duration > max - duration) return max;
            duration += duration;
        }

        return duration > max ? max : duration;
    }

    /// <summary>Stops the flush timers and wakes <see cref="PopAsync"/> callers with null.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _backoffTimer?.Dispose();
            _unschedulableTimer?.Dispose();
            SignalLocked();
        }
    }

    public void Dispose() => Close();

    private void MoveCrossTopology(V1Pod assigned, ClusterEvent @event)
    {
        lock (_lock)
        {
            List<QueuedPodInfo> pods = [];
            foreach (var qpi in _unschedulable.Values)
            {
                if (qpi.UnschedulablePlugins.Contains("PodTopologySpread") || AffinityMatches(qpi.PodInfo, assigned)) pods.Add(qpi);
            }

            if (pods.Count > 0) MovePodsLocked(pods, @event);
        }
    }

    private static bool AffinityMatches(PodInfo waiting, V1Pod assigned)
    {
        foreach (var term in waiting.RequiredAffinityTerms)
        {
            // Namespace labels are not known here; a term with a namespace selector counts as a match because a
            // needless move costs one attempt while a missed one leaves the pod waiting for the timeout.
            if (term.Matches(assigned, null)
                || (term.NamespaceSelector is not null && term.Selector.Matches(assigned.Metadata?.Labels as IReadOnlyDictionary<string, string>)))
            {
                return true;
            }
        }

        return false;
    }

    private void MovePodsLocked(List<QueuedPodInfo> pods, ClusterEvent @event)
    {
        var activated = false;
        // A wildcard event (the unschedulable timeout) moves every pod, as kube-scheduler's isPodWorthRequeuing.
        var filter = @event.Resource == EventResource.WildCard ? null : _isInterested;
        foreach (var qpi in pods)
        {
            if (filter is not null && !qpi.Gated && !filter(qpi, @event)) continue;
            var key = qpi.PodInfo.Key;
            _unschedulable.Remove(key);
            if (IsBackingOffLocked(qpi))
            {
                _backoff.AddOrUpdate(qpi);
            }
            else
            {
                activated |= MoveToActiveLocked(qpi);
            }
        }

        _moveRequestCycle = _schedulingCycle;
        if (activated) SignalLocked();
    }

    /// <summary>Runs PreEnqueue; a gated pod goes (back) to the unschedulable pods, others to the active queue.</summary>
    private bool MoveToActiveLocked(QueuedPodInfo qpi)
    {
        var key = qpi.PodInfo.Key;
        if (_preEnqueue is not null)
        {
            var status = _preEnqueue(qpi.PodInfo.Pod);
            if (!status.IsSuccess)
            {
                qpi.GatingPlugin = status.Plugin ?? string.Empty;
                qpi.PendingPlugins.Clear();
                qpi.PendingPlugins.Add(qpi.GatingPlugin);
                _unschedulable[key] = qpi;
                return false;
            }
        }

        if (qpi.Gated)
        {
            qpi.GatingPlugin = null;
            qpi.PendingPlugins.Clear();
        }

        _unschedulable.Remove(key);
        _backoff.Remove(key);
        _active.AddOrUpdate(qpi);
        SignalLocked();
        return true;
    }

    private bool IsBackingOffLocked(QueuedPodInfo qpi) => !qpi.Gated && BackoffExpiry(qpi) > _time.GetUtcNow();

    private void SignalLocked()
    {
        var waiter = _waiter;
        _waiter = null;
        waiter?.TrySetResult();
    }

    /// <summary>
    /// True when something other than status, resourceVersion or managedFields changed, as kube-scheduler's
    /// isPodUpdated: only such updates can change a scheduling decision.
    /// </summary>
    private static bool IsPodUpdated(V1Pod oldPod, V1Pod newPod)
    {
        if (ReferenceEquals(oldPod, newPod)) return false;
        static string Canonical(V1Pod pod)
        {
            var meta = pod.Metadata;
            return KubernetesJson.Serialize(new object?[] { meta?.Labels, meta?.Annotations, meta?.DeletionTimestamp, meta?.OwnerReferences, meta?.Finalizers, pod.Spec });
        }

        return Canonical(oldPod) != Canonical(newPod);
    }

    private sealed class InFlightPod
    {
        public bool Deleted { get; set; }

        public bool Updated { get; set; }

        public V1Pod? Latest { get; set; }
    }

    internal enum RequeueOutcome
    {
        Queued,
        AlreadyQueued,
        Deleted,
    }
}
