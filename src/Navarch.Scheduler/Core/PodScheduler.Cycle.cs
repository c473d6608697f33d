using k8s;
using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Queue;
using Navarch.Scheduler.Runtime;

namespace Navarch.Scheduler.Core;

public sealed partial class PodScheduler
{
    /// <summary>The message when the cluster has no nodes at all, as kube-scheduler's ErrNoNodesAvailable.</summary>
    public const string NoNodesAvailableMessage = "no nodes available to schedule pods";

    /// <summary>
    /// One scheduling cycle: pops a pod, finds a node, assumes and reserves it there, and starts the binding
    /// cycle in the background. False once the queue is closed.
    /// </summary>
    public async Task<bool> ScheduleOneAsync(CancellationToken cancellationToken)
    {
        var qpi = await Queue.PopAsync(cancellationToken).ConfigureAwait(false);
        if (qpi is null) return false;
        var cycle = Queue.SchedulingCycle;
        var pod = qpi.PodInfo.Pod;
        var fwk = ProfileFor(pod);
        if (fwk is null || pod.Metadata?.DeletionTimestamp is not null || Cache.Contains(pod))
        {
            // Not ours, being deleted, or already assumed by an earlier cycle: nothing to do for it.
            Queue.Done(pod);
            return true;
        }

        var start = _time.GetTimestamp();
        var state = new CycleState();
        ScheduleResult result;
        try
        {
            var (scheduled, fitError, error) = await SchedulePodAsync(fwk, state, pod, cancellationToken).ConfigureAwait(false);
            if (scheduled is null)
            {
                if (fitError is not null)
                {
                    await HandleFitErrorAsync(fwk, state, qpi, cycle, fitError, start, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    HandleFailure(fwk, qpi, cycle, error ?? Status.AsError("scheduling failed"), null, start);
                }

                return true;
            }

            result = scheduled;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            HandleFailure(fwk, qpi, cycle, Status.AsError(e), null, start);
            return true;
        }

        // Assume: count the pod on the node now, so the next cycle sees the room it takes before the bind lands.
        var assumed = WithNodeName(pod, result.SuggestedHost);
        var assumedInfo = new PodInfo(assumed);
        Cache.AssumePod(assumedInfo, result.SuggestedHost);

        var status = fwk.RunReservePluginsReserve(state, assumed, result.SuggestedHost);
        if (!status.IsSuccess)
        {
            fwk.RunReservePluginsUnreserve(state, assumed, result.SuggestedHost);
            Cache.ForgetPod(assumed);
            HandleFailure(fwk, qpi, cycle, status, null, start);
            return true;
        }

        status = fwk.RunPermitPlugins(state, assumed, result.SuggestedHost);
        if (!status.IsSuccess && status.Code != StatusCode.Wait)
        {
            fwk.RunReservePluginsUnreserve(state, assumed, result.SuggestedHost);
            Cache.ForgetPod(assumed);
            HandleFailure(fwk, qpi, cycle, status, null, start);
            return true;
        }

        Track(BindingCycleAsync(fwk, state, qpi, cycle, assumed, result.SuggestedHost, start, cancellationToken));
        return true;
    }

    /// <summary>
    /// Finds the best node for <paramref name="pod"/> on a fresh snapshot: PreFilter, Filter over an adaptive
    /// sample of nodes, Score, SelectHost. Exactly one of the results is non-null.
    /// </summary>
    public Task<(ScheduleResult? Result, FitError? FitError, Status? Error)> SchedulePodAsync(
        FrameworkRuntime fwk, CycleState state, V1Pod pod, CancellationToken cancellationToken)
    {
        Cache.UpdateSnapshot(Snapshot);
        if (Snapshot.NumNodes == 0) return Task.FromResult<(ScheduleResult?, FitError?, Status?)>((null, null, Status.AsError(NoNodesAvailableMessage)));

        var (feasible, diagnosis, error) = FindNodesThatFitPod(fwk, state, pod);
        if (error is not null) return Task.FromResult<(ScheduleResult?, FitError?, Status?)>((null, null, error));
        if (feasible.Count == 0)
        {
            return Task.FromResult<(ScheduleResult?, FitError?, Status?)>((null, new FitError(Snapshot.NumNodes, diagnosis), null));
        }

        var evaluated = feasible.Count + diagnosis.NodeToStatus.Count;
        if (feasible.Count == 1)
        {
            return Task.FromResult<(ScheduleResult?, FitError?, Status?)>((new ScheduleResult(feasible[0].Name, evaluated, 1), null, null));
        }

        var (scores, status) = PrioritizeNodes(fwk, state, pod, feasible);
        if (!status.IsSuccess) return Task.FromResult<(ScheduleResult?, FitError?, Status?)>((null, null, status));
        var host = SelectHost(scores);
        return Task.FromResult<(ScheduleResult?, FitError?, Status?)>((new ScheduleResult(host, evaluated, feasible.Count), null, null));
    }

    private (List<NodeInfo> Feasible, Diagnosis Diagnosis, Status? Error) FindNodesThatFitPod(FrameworkRuntime fwk, CycleState state, V1Pod pod)
    {
        var diagnosis = new Diagnosis();
        var allNodes = Snapshot.List();
        var (preResult, preStatus, pluginsWithNodes) = fwk.RunPreFilterPlugins(state, pod, allNodes);
        foreach (var plugin in pluginsWithNodes) diagnosis.UnschedulablePlugins.Add(plugin);
        if (!preStatus.IsSuccess)
        {
            if (!preStatus.IsRejected) return ([], diagnosis, preStatus);
            // Every node shares the PreFilter's status, so preemption sees why and the message says it once.
            diagnosis.NodeToStatus.AbsentNodesStatus = preStatus;
            diagnosis.PreFilterMsg = preStatus.Message;
            diagnosis.AddPluginStatus(preStatus);
            return ([], diagnosis, null);
        }

        // A node nominated by an earlier preemption is likely the only one that fits: try it first.
        if (pod.Status?.NominatedNodeName is { Length: > 0 } nominated && Snapshot.Get(nominated) is { } nominatedInfo)
        {
            var (fits, error) = FindNodesThatPassFilters(fwk, state, pod, diagnosis, [nominatedInfo], rotate: false);
            if (error is null && fits.Count > 0) return (fits, diagnosis, null);
        }

        IReadOnlyList<NodeInfo> nodes = allNodes;
        if (preResult is { AllNodes: false, NodeNames: { } names })
        {
            var narrowed = new List<NodeInfo>(names.Count);
            foreach (var name in names)
            {
                if (Snapshot.Get(name) is { } info) narrowed.Add(info);
            }

            nodes = narrowed;
            diagnosis.NodeToStatus.AbsentNodesStatus = Status.UnschedulableAndUnresolvable(
                $"node(s) didn't satisfy plugin(s) [{string.Join(" ", SortedCopy(pluginsWithNodes))}]");
        }

        var (feasible, filterError) = FindNodesThatPassFilters(fwk, state, pod, diagnosis, nodes, rotate: true);
        return (feasible, diagnosis, filterError);
    }

    /// <summary>
    /// Filters nodes from a start index that rotates across cycles (so every node gets its turn), in parallel,
    /// stopping once enough feasible nodes are found.
    /// </summary>
    private (List<NodeInfo> Feasible, Status? Error) FindNodesThatPassFilters(
        FrameworkRuntime fwk, CycleState state, V1Pod pod, Diagnosis diagnosis, IReadOnlyList<NodeInfo> nodes, bool rotate)
    {
        var numAll = nodes.Count;
        if (numAll == 0) return ([], null);
        var toFind = NodeSampling.NumFeasibleNodesToFind(_percentageOfNodesToScore, numAll);
        var startIndex = rotate ? _nextStartNodeIndex % numAll : 0;
        var feasible = new NodeInfo[toFind];
        var found = 0;
        if (!fwk.HasFilterPlugins)
        {
            for (var i = 0; i < toFind; i++) feasible[i] = nodes[(startIndex + i) % numAll];
            if (rotate) _nextStartNodeIndex = (startIndex + toFind) % Math.Max(1, Snapshot.NumNodes);
            return ([.. feasible], null);
        }

        var statuses = new Status?[numAll];
        Status? firstError = null;
        using var stop = new CancellationTokenSource();
        ParallelRunner.For(
            numAll,
            _parallelism,
            i =>
            {
                var node = nodes[(startIndex + i) % numAll];
                var status = fwk.RunFilterPluginsWithNominatedPods(state, pod, node);
                if (status.IsSuccess)
                {
                    var length = Interlocked.Increment(ref found);
                    if (length > toFind)
                    {
                        Interlocked.Decrement(ref found);
                        stop.Cancel();
                    }
                    else
                    {
                        feasible[length - 1] = node;
                    }

                    return;
                }

                if (!status.IsRejected)
                {
                    Interlocked.CompareExchange(ref firstError, status, null);
                    stop.Cancel();
                    return;
                }

                statuses[i] = status;
            },
            stop.Token);

        for (var i = 0; i < numAll; i++)
        {
            if (statuses[i] is not { } status) continue;
            diagnosis.NodeToStatus.Set(nodes[(startIndex + i) % numAll].Name, status);
            diagnosis.AddPluginStatus(status);
        }

        if (rotate)
        {
            var processed = found + diagnosis.NodeToStatus.Count;
            _nextStartNodeIndex = (startIndex + processed) % Math.Max(1, Snapshot.NumNodes);
        }

        var result = new List<NodeInfo>(found);
        for (var i = 0; i < found; i++) result.Add(feasible[i]);
        return (result, firstError);
    }

    private static (NodeScore[] Scores, Status Status) PrioritizeNodes(FrameworkRuntime fwk, CycleState state, V1Pod pod, List<NodeInfo> nodes)
    {
        if (!fwk.HasScorePlugins)
        {
            var ones = new NodeScore[nodes.Count];
            for (var i = 0; i < nodes.Count; i++) ones[i] = new NodeScore(nodes[i].Name, 1);
            return (ones, Status.Success);
        }

        var status = fwk.RunPreScorePlugins(state, pod, nodes);
        if (!status.IsSuccess) return ([], status);
        return fwk.RunScorePlugins(state, pod, nodes);
    }

    /// <summary>The node with the highest total; ties are broken uniformly at random (reservoir sampling).</summary>
    internal string SelectHost(NodeScore[] scores)
    {
        var best = scores[0];
        var ties = 1;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i].Score > best.Score)
            {
                best = scores[i];
                ties = 1;
            }
            else if (scores[i].Score == best.Score)
            {
                ties++;
                if (_random.Next(ties) == 0) best = scores[i];
            }
        }

        return best.Name;
    }

    private async Task HandleFitErrorAsync(
        FrameworkRuntime fwk, CycleState state, QueuedPodInfo qpi, long cycle, FitError fitError, long start, CancellationToken cancellationToken)
    {
        PostFilterResult? nomination = null;
        if (fwk.HasPostFilterPlugins)
        {
            Metrics.PreemptionAttempt();
            var (result, status) = await fwk.RunPostFilterPluginsAsync(state, qpi.PodInfo.Pod, fitError.Diagnosis.NodeToStatus, cancellationToken)
                .ConfigureAwait(false);
            fitError.Diagnosis.PostFilterMsg = status.Message;
            nomination = result;
        }

        qpi.UnschedulablePlugins.Clear();
        qpi.UnschedulablePlugins.UnionWith(fitError.Diagnosis.UnschedulablePlugins);
        qpi.PendingPlugins.Clear();
        qpi.PendingPlugins.UnionWith(fitError.Diagnosis.PendingPlugins);
        ReportFailure(fwk, qpi, cycle, rejected: true, fitError.Message, nomination, start);
    }

    /// <summary>A failure that is not a FitError: a rejection at Reserve/Permit/bind time, or an error (back-off).</summary>
    private void HandleFailure(FrameworkRuntime fwk, QueuedPodInfo qpi, long cycle, Status status, PostFilterResult? nomination, long start)
    {
        qpi.UnschedulablePlugins.Clear();
        qpi.PendingPlugins.Clear();
        if (status.IsRejected && status.Plugin is { Length: > 0 } plugin)
        {
            if (status.Code == StatusCode.Pending) qpi.PendingPlugins.Add(plugin);
            else qpi.UnschedulablePlugins.Add(plugin);
        }

        ReportFailure(fwk, qpi, cycle, status.IsRejected, status.Message, nomination, start);
    }

    /// <summary>
    /// kube-scheduler's handleSchedulingFailure: requeue, record the nomination, a FailedScheduling event, and the
    /// PodScheduled=False condition (for rejections) with the same message.
    /// </summary>
    private void ReportFailure(FrameworkRuntime fwk, QueuedPodInfo qpi, long cycle, bool rejected, string message, PostFilterResult? nomination, long start)
    {
        var elapsed = _time.GetElapsedTime(start);
        if (rejected) Metrics.Unschedulable(elapsed);
        else Metrics.Error(elapsed);

        // A pod deleted during the attempt has no one left to tell.
        if (Queue.Requeue(qpi, cycle) == SchedulingQueue.RequeueOutcome.Deleted) return;
        var pod = qpi.PodInfo.Pod;
        string? nominatedNode = null;
        if (nomination?.NominatedNodeName is { } nodeName)
        {
            if (nodeName.Length == 0)
            {
                Nominator.DeleteNominatedPodIfExists(pod);
            }
            else
            {
                Nominator.AddNominatedPod(qpi.PodInfo, nodeName);
                nominatedNode = nodeName;
            }
        }

        fwk.RecordEvent(pod, "Warning", "FailedScheduling", "Scheduling", message);
        if (!rejected) return;
        if (nominatedNode is null && HasSameUnschedulableCondition(pod, message)) return;
        Track(_client.SetUnschedulableConditionAsync(pod, message, nominatedNode, CancellationToken.None));
    }

    private static bool HasSameUnschedulableCondition(V1Pod pod, string message)
    {
        if (pod.Status?.Conditions is not { } conditions) return false;
        foreach (var condition in conditions)
        {
            if (condition.Type == "PodScheduled")
            {
                return condition.Status == "False" && condition.Reason == "Unschedulable" && condition.Message == message;
            }
        }

        return false;
    }

    private async Task BindingCycleAsync(
        FrameworkRuntime fwk, CycleState state, QueuedPodInfo qpi, long cycle, V1Pod assumed, string nodeName, long start, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Status status;
        try
        {
            status = await fwk.WaitOnPermitAsync(assumed, cancellationToken).ConfigureAwait(false);
            if (status.IsSuccess) status = await fwk.RunPreBindPluginsAsync(state, assumed, nodeName, cancellationToken).ConfigureAwait(false);
            if (status.IsSuccess)
            {
                status = await fwk.RunBindPluginsAsync(state, assumed, nodeName, cancellationToken).ConfigureAwait(false);
                if (status.IsSkip) status = Status.AsError($"no bind plugin bound pod {PodKey.Of(assumed)}");
            }
        }
        catch (Exception e)
        {
            status = Status.AsError(e);
        }

        if (status.IsSuccess)
        {
            Cache.FinishBinding(assumed);
            Metrics.Scheduled(_time.GetElapsedTime(start), _time.GetUtcNow() - qpi.InitialAttemptTimestamp);
            fwk.RecordEvent(assumed, "Normal", "Scheduled", "Binding", $"Successfully assigned {PodKey.Of(assumed)} to {nodeName}");
            fwk.RunPostBindPlugins(state, assumed, nodeName);
            Queue.Done(assumed);
            return;
        }

        fwk.RunReservePluginsUnreserve(state, assumed, nodeName);
        Cache.ForgetPod(assumed);
        // The room the pod held is free again: pods waiting for room may fit now.
        var uid = assumed.Metadata?.Uid;
        Queue.MoveAllToActiveOrBackoffQueue(ClusterEvents.AssignedPodDelete, other => other.PodInfo.Uid != uid);
        HandleFailure(fwk, qpi, cycle, status, null, start);
    }

    /// <summary>
    /// A copy of the pod with spec.nodeName set, for the cache: the informer's object must stay as it is.
    /// Metadata and status are shared (never mutated here); the spec is copied.
    /// </summary>
    private static V1Pod WithNodeName(V1Pod pod, string nodeName)
    {
        // Only spec.nodeName differs from the cached pod, which must not change: a member-wise copy of the spec suffices.
        var spec = pod.Spec is null ? new V1PodSpec() : ShallowCopy.Of(pod.Spec);
        spec.NodeName = nodeName;
        return new V1Pod { ApiVersion = pod.ApiVersion, Kind = pod.Kind, Metadata = pod.Metadata, Spec = spec, Status = pod.Status };
    }

    private static List<string> SortedCopy(IReadOnlyList<string> names)
    {
        List<string> copy = [.. names];
        copy.Sort(StringComparer.Ordinal);
        return copy;
    }
}
