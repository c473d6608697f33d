using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.DefaultPreemption;

/// <summary>
/// Preemption, as kube-scheduler's DefaultPreemption PostFilter plugin: when no node fits, find nodes where
/// evicting lower-priority pods would make room, pick the one whose eviction hurts least, evict its victims and
/// nominate the pod to it. PodDisruptionBudgets are not considered (this API server has no policy/v1 API), so
/// the "fewest PDB violations" criterion and the PDB-first reprieve order are no-ops here.
/// </summary>
public sealed class DefaultPreemption : IPostFilterPlugin
{
    public const string PluginName = "DefaultPreemption";

    /// <summary>The reason for nodes without lower-priority pods.</summary>
    public const string NoVictimsReason = "No preemption victims found for incoming pod";

    /// <summary>The reason for nodes that were not Unschedulable (evicting pods cannot make them fit).</summary>
    public const string NotHelpfulReason = "Preemption is not helpful for scheduling";

    private const int DryRunBatch = 64;

    private readonly DefaultPreemptionArgs _args;
    private readonly IFrameworkHandle _handle;
    private readonly Func<int, int> _randomOffset;

    /// <param name="randomOffset">Returns a number in [0, n): where among the potential nodes the search starts.</param>
    internal DefaultPreemption(DefaultPreemptionArgs args, IFrameworkHandle handle, Func<int, int> randomOffset)
    {
        _args = args;
        _handle = handle;
        _randomOffset = randomOffset;
    }

    public string Name => PluginName;

    public static IPlugin New(JsonElement? args, IFrameworkHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);

        // A random start spreads preemption over the cluster, as kube-scheduler's rand.Int31n does.
        return new DefaultPreemption(DefaultPreemptionArgs.Parse(args), handle, Random.Shared.Next);
    }

    public async Task<(PostFilterResult? Result, Status Status)> PostFilterAsync(
        CycleState state, V1Pod pod, NodeToStatus filteredNodeStatus, CancellationToken cancellationToken)
    {
        var (result, status) = await PreemptAsync(state, pod, filteredNodeStatus, cancellationToken).ConfigureAwait(false);
        var message = status.Message;
        if (message.Length == 0) return (result, status);

        // kube-scheduler prefixes the message; it ends up after the filter reasons in the FailedScheduling event.
        return status.Code == StatusCode.Error
            ? (result, Status.AsError(new InvalidOperationException("preemption: " + message, status.Error)))
            : (result, Status.Create(status.Code, "preemption: " + message));
    }

    private async Task<(PostFilterResult? Result, Status Status)> PreemptAsync(
        CycleState state, V1Pod pod, NodeToStatus filteredNodeStatus, CancellationToken cancellationToken)
    {
        if (!EligibleToPreemptOthers(pod, filteredNodeStatus, out var notEligible)) return (null, Status.Unschedulable(notEligible));

        var allNodes = _handle.SnapshotNodeInfos.List();
        var potential = new List<NodeInfo>();
        foreach (var nodeInfo in allNodes)
        {
            // UnschedulableAndUnresolvable nodes cannot be helped by evicting pods.
            if (filteredNodeStatus.Get(nodeInfo.Name).Code == StatusCode.Unschedulable) potential.Add(nodeInfo);
        }

        var statuses = new Dictionary<string, Status>(StringComparer.Ordinal);
        List<Candidate> candidates = [];
        if (potential.Count == 0)
        {
            // Preemption cannot help anywhere: a nomination from an earlier attempt is stale.
            if (!string.IsNullOrEmpty(pod.Status?.NominatedNodeName))
            {
                await _handle.Client.SetNominatedNodeNameAsync(pod, null, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var offset = _randomOffset(potential.Count);
            candidates = DryRun(state, pod, potential, offset, _args.NumCandidates(potential.Count), statuses, cancellationToken);
        }

        if (candidates.Count == 0)
        {
            return (null, Status.Unschedulable(FitErrorMessage.Format(allNodes.Count, statuses, NotHelpfulReason)));
        }

        var best = SelectCandidate(candidates);
        var prepared = await PrepareCandidateAsync(best, pod, cancellationToken).ConfigureAwait(false);
        if (!prepared.IsSuccess) return (null, prepared);
        return (new PostFilterResult(best.NodeName), Status.Success);
    }

    /// <summary>
    /// A pod with preemptionPolicy Never never preempts; a pod already nominated to a node where lower-priority
    /// pods are terminating because of an earlier preemption waits for them instead of preempting again.
    /// </summary>
    private bool EligibleToPreemptOthers(V1Pod pod, NodeToStatus filteredNodeStatus, out string reason)
    {
        reason = string.Empty;
        if (pod.Spec?.PreemptionPolicy == "Never")
        {
            reason = "not eligible due to preemptionPolicy=Never.";
            return false;
        }

        var nominated = pod.Status?.NominatedNodeName;
        if (string.IsNullOrEmpty(nominated)) return true;

        // The nominated node no longer passes Filter for reasons eviction cannot fix: look elsewhere.
        if (filteredNodeStatus.Get(nominated).Code == StatusCode.UnschedulableAndUnresolvable) return true;

        if (_handle.SnapshotNodeInfos.Get(nominated) is { } nodeInfo)
        {
            var priority = pod.Spec?.Priority ?? 0;
            foreach (var existing in nodeInfo.Pods)
            {
                if (existing.Priority < priority && TerminatingByPreemption(existing.Pod))
                {
                    reason = "not eligible due to a terminating pod on the nominated node.";
                    return false;
                }
            }
        }

        return true;
    }

    private static bool TerminatingByPreemption(V1Pod pod)
    {
        if (pod.Metadata?.DeletionTimestamp is null || pod.Status?.Conditions is not { } conditions) return false;
        foreach (var condition in conditions)
        {
            if (condition.Type == "DisruptionTarget") return condition.Status == "True" && condition.Reason == "PreemptionByScheduler";
        }

        return false;
    }

    /// <summary>
    /// Simulates preemption on the potential nodes in order from <paramref name="offset"/> (wrapping), in parallel
    /// batches, until <paramref name="wanted"/> candidates are found. Failures are recorded in <paramref name="statuses"/>.
    /// </summary>
    private List<Candidate> DryRun(
        CycleState state, V1Pod pod, List<NodeInfo> potential, int offset, int wanted,
        Dictionary<string, Status> statuses, CancellationToken cancellationToken)
    {
        var candidates = new List<Candidate>();
        var results = new (IReadOnlyList<PodInfo>? Victims, Status Status)[Math.Min(DryRunBatch, potential.Count)];
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        for (var start = 0; start < potential.Count && candidates.Count < wanted; start += DryRunBatch)
        {
            var count = Math.Min(DryRunBatch, potential.Count - start);
            Parallel.For(0, count, options, i =>
            {
                var nodeInfo = potential[(offset + start + i) % potential.Count];
                results[i] = SelectVictimsOnNode(state.Clone(), pod, nodeInfo.Clone());
            });

            for (var i = 0; i < count && candidates.Count < wanted; i++)
            {
                var name = potential[(offset + start + i) % potential.Count].Name;
                var (victims, status) = results[i];
                if (status.IsSuccess && victims is { Count: > 0 })
                {
                    candidates.Add(new Candidate(name, victims));
                }
                else
                {
                    statuses[name] = status.IsSuccess
                        ? Status.AsError($"expected at least one victim pod on node \"{name}\"")
                        : status;
                }
            }
        }

        return candidates;
    }

    /// <summary>
    /// On a copy of the node: remove every lower-priority pod; if the pod then fits, add them back from the most
    /// important down while it still fits. The ones that could not come back are the victims (highest priority first).
    /// </summary>
    private (IReadOnlyList<PodInfo>? Victims, Status Status) SelectVictimsOnNode(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var priority = pod.Spec?.Priority ?? 0;
        var potentialVictims = new List<PodInfo>();
        foreach (var existing in nodeInfo.Pods.ToArray())
        {
            if (existing.Priority >= priority) continue;
            potentialVictims.Add(existing);
            var removed = Remove(state, pod, existing, nodeInfo);
            if (!removed.IsSuccess) return (null, removed);
        }

        if (potentialVictims.Count == 0) return (null, Status.UnschedulableAndUnresolvable(NoVictimsReason));

        // If even an empty (of lower priority pods) node does not fit, the reason is this node's failure.
        var fits = _handle.RunFilterPluginsWithNominatedPods(state, pod, nodeInfo);
        if (!fits.IsSuccess) return (null, fits);

        var now = _handle.Time.GetUtcNow().UtcDateTime;
        potentialVictims.Sort((a, b) => MoreImportantFirst(a, b, now));
        var victims = new List<PodInfo>();
        foreach (var candidate in potentialVictims)
        {
            nodeInfo.AddPod(candidate);
            var added = _handle.RunPreFilterExtensionAddPod(state, pod, candidate, nodeInfo);
            if (!added.IsSuccess) return (null, AsError(added));
            if (_handle.RunFilterPluginsWithNominatedPods(state, pod, nodeInfo).IsSuccess) continue;

            var removed = Remove(state, pod, candidate, nodeInfo);
            if (!removed.IsSuccess) return (null, removed);
            victims.Add(candidate);
        }

        return (victims, Status.Success);
    }

    private Status Remove(CycleState state, V1Pod pod, PodInfo victim, NodeInfo nodeInfo)
    {
        nodeInfo.RemovePod(victim.Pod);
        var status = _handle.RunPreFilterExtensionRemovePod(state, pod, victim, nodeInfo);
        return status.IsSuccess ? status : AsError(status);
    }

    private static Status AsError(Status status) =>
        status.Code == StatusCode.Error ? status : Status.AsError(status.Message);

    /// <summary>kube-scheduler's MoreImportantPod: higher priority, then the one that started earlier.</summary>
    private static int MoreImportantFirst(PodInfo a, PodInfo b, DateTime now)
    {
        if (a.Priority != b.Priority) return b.Priority.CompareTo(a.Priority);
        return StartTime(a.Pod, now).CompareTo(StartTime(b.Pod, now));
    }

    /// <summary>status.startTime; pods that have not started yet count as starting now (GetPodStartTime).</summary>
    private static DateTime StartTime(V1Pod pod, DateTime now) => pod.Status?.StartTime?.ToUniversalTime() ?? now;

    /// <summary>
    /// kube-scheduler's pickOneNodeForPreemption, minus the PDB criterion: the lowest highest-victim priority, then
    /// the lowest sum of victim priorities, then the fewest victims, then the latest start among the highest-priority
    /// victims, then the first found.
    /// </summary>
    private Candidate SelectCandidate(List<Candidate> candidates)
    {
        var now = _handle.Time.GetUtcNow().UtcDateTime;
        IEnumerable<Candidate> best = candidates;
        best = KeepMin(best, c => c.Victims[0].Priority);

        // Offsetting by 2^31 keeps negative priorities from lowering the sum below that of fewer victims.
        best = KeepMin(best, c =>
        {
            long sum = 0;
            foreach (var victim in c.Victims) sum += victim.Priority + (long)int.MaxValue + 1;
            return sum;
        });
        best = KeepMin(best, c => c.Victims.Count);
        best = KeepMin(best, c => -EarliestStartOfHighestPriority(c.Victims, now).Ticks);
        return best.First();
    }

    private static List<Candidate> KeepMin(IEnumerable<Candidate> candidates, Func<Candidate, long> score)
    {
        var kept = new List<Candidate>();
        var min = long.MaxValue;
        foreach (var candidate in candidates)
        {
            var value = score(candidate);
            if (value < min)
            {
                min = value;
                kept.Clear();
            }

            if (value == min) kept.Add(candidate);
        }

        return kept;
    }

    private static DateTime EarliestStartOfHighestPriority(IReadOnlyList<PodInfo> victims, DateTime now)
    {
        var highest = victims[0].Priority;
        var earliest = StartTime(victims[0].Pod, now);
        foreach (var victim in victims)
        {
            if (victim.Priority != highest) continue;
            var start = StartTime(victim.Pod, now);
            if (start < earliest) earliest = start;
        }

        return earliest;
    }

    /// <summary>
    /// Evicts the victims (recording kube-scheduler's "Preempted" event on each), clears the nominations of
    /// lower-priority pods nominated to the node (they may no longer fit), then nominates the pod to the node.
    /// </summary>
    private async Task<Status> PrepareCandidateAsync(Candidate candidate, V1Pod pod, CancellationToken cancellationToken)
    {
        var message = $"Preempted by pod {pod.Metadata?.Uid} on node {candidate.NodeName}";
        var deletions = new Task[candidate.Victims.Count];
        for (var i = 0; i < deletions.Length; i++)
        {
            deletions[i] = EvictAsync(candidate.Victims[i].Pod, pod, candidate.NodeName, message, cancellationToken);
        }

        try
        {
            await Task.WhenAll(deletions).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Status.AsError(e);
        }

        var priority = pod.Spec?.Priority ?? 0;
        foreach (var nominated in _handle.Nominator.NominatedPodsForNode(candidate.NodeName))
        {
            if (nominated.Priority >= priority || nominated.Uid == pod.Metadata?.Uid) continue;
            try
            {
                await _handle.Client.SetNominatedNodeNameAsync(nominated.Pod, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // As kube-scheduler: not critical. The pod keeps a stale nomination until its next attempt, which
                // re-evaluates it; failing the preemptor here would undo evictions that already happened.
                _ = e;
            }
        }

        try
        {
            await _handle.Client.SetNominatedNodeNameAsync(pod, candidate.NodeName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Status.AsError(e);
        }

        return Status.Success;
    }

    private async Task EvictAsync(V1Pod victim, V1Pod preemptor, string nodeName, string message, CancellationToken cancellationToken)
    {
        await _handle.Client.DeleteVictimAsync(victim, preemptor, nodeName, cancellationToken).ConfigureAwait(false);
        _handle.RecordEvent(victim, "Normal", "Preempted", "Preempting", message);
    }
}
