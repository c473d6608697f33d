using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Runtime;

public sealed partial class FrameworkRuntime
{
    /// <summary>
    /// Runs PreFilter plugins, merging the node sets they narrow to. Returns the merged result, the first rejection
    /// (UnschedulableAndUnresolvable stops at once; Unschedulable lets the others run so preemption has their
    /// state) and the plugins that narrowed the node set. Plugins returning Skip are recorded in the state.
    /// </summary>
    public (PreFilterResult? Result, Status Status, IReadOnlyList<string> PluginsWithNodes) RunPreFilterPlugins(
        CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        PreFilterResult? result = null;
        Status? returnStatus = null;
        List<string> pluginsWithNodes = [];
        state.SkipFilterPlugins.Clear();
        foreach (var plugin in PreFilterPlugins)
        {
            (PreFilterResult? r, Status s) outcome;
            try
            {
                outcome = plugin.PreFilter(state, pod, nodes);
            }
            catch (Exception e)
            {
                outcome = (null, Status.AsError(e));
            }

            var (r, s) = outcome;
            if (s.IsSkip)
            {
                state.SkipFilterPlugins.Add(plugin.Name);
                continue;
            }

            if (!s.IsSuccess)
            {
                if (s.Code == StatusCode.UnschedulableAndUnresolvable) return (null, s.WithPlugin(plugin.Name), pluginsWithNodes);
                if (s.Code == StatusCode.Unschedulable)
                {
                    returnStatus ??= s.WithPlugin(plugin.Name);
                    continue;
                }

                return (null, WrapError("PreFilter", plugin.Name, s), pluginsWithNodes);
            }

            if (r is not null && !r.AllNodes) pluginsWithNodes.Add(plugin.Name);
            result = result is null ? r : result.Merge(r);
            if (result is { AllNodes: false, NodeNames.Count: 0 })
            {
                var msg = pluginsWithNodes.Count == 1
                    ? $"node(s) didn't satisfy plugin {pluginsWithNodes[0]}"
                    : $"node(s) didn't satisfy plugin(s) [{string.Join(" ", pluginsWithNodes)}] simultaneously";
                return (result, Status.UnschedulableAndUnresolvable(msg), pluginsWithNodes);
            }
        }

        return (result, returnStatus ?? Status.Success, pluginsWithNodes);
    }

    /// <summary>Runs Filter plugins on one node, stopping at the first that does not succeed.</summary>
    public Status RunFilterPlugins(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var skip = state.SkipFilterPlugins;
        var plugins = FilterPlugins;
        for (var i = 0; i < plugins.Count; i++)
        {
            var plugin = plugins[i];
            if (skip.Count > 0 && skip.Contains(plugin.Name)) continue;
            Status status;
            try
            {
                status = plugin.Filter(state, pod, nodeInfo);
            }
            catch (Exception e)
            {
                status = Status.AsError(e);
            }

            if (status.IsSuccess) continue;
            return status.IsRejected ? status.WithPlugin(plugin.Name) : WrapError("Filter", plugin.Name, status);
        }

        return Status.Success;
    }

    /// <summary>
    /// kube-scheduler's two-pass filter: first with the node's nominated pods of higher or equal priority added
    /// (so this pod does not take room preemption freed for them), then, if that passed and pods were added,
    /// without them (so the pod does not depend on them for affinity).
    /// </summary>
    public Status RunFilterPluginsWithNominatedPods(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var status = Status.Success;
        var podsAdded = false;
        for (var pass = 0; pass < 2; pass++)
        {
            var stateToUse = state;
            var nodeInfoToUse = nodeInfo;
            if (pass == 0)
            {
                (podsAdded, stateToUse, nodeInfoToUse, var error) = AddNominatedPods(pod, state, nodeInfo);
                if (error is not null) return error;
            }
            else if (!podsAdded || !status.IsSuccess)
            {
                break;
            }

            status = RunFilterPlugins(stateToUse, pod, nodeInfoToUse);
            if (!status.IsSuccess && !status.IsRejected) return status;
        }

        return status;
    }

    private (bool Added, CycleState State, NodeInfo NodeInfo, Status? Error) AddNominatedPods(V1Pod pod, CycleState state, NodeInfo nodeInfo)
    {
        var nominated = Nominator.NominatedPodsForNode(nodeInfo.Name);
        if (nominated.Count == 0) return (false, state, nodeInfo, null);

        var priority = pod.Spec?.Priority ?? 0;
        var uid = pod.Metadata?.Uid;
        CycleState? stateOut = null;
        NodeInfo? nodeInfoOut = null;
        foreach (var other in nominated)
        {
            if (other.Priority < priority || other.Uid == uid) continue;
            stateOut ??= state.Clone();
            nodeInfoOut ??= nodeInfo.Clone();
            nodeInfoOut.AddPod(other);
            var status = RunPreFilterExtensionAddPod(stateOut, pod, other, nodeInfoOut);
            if (!status.IsSuccess) return (false, state, nodeInfo, status);
        }

        return stateOut is null || nodeInfoOut is null ? (false, state, nodeInfo, null) : (true, stateOut, nodeInfoOut, null);
    }

    public Status RunPreFilterExtensionAddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo)
    {
        foreach (var plugin in PreFilterPlugins)
        {
            if (plugin.PreFilterExtensions is not { } ext || state.SkipFilterPlugins.Contains(plugin.Name)) continue;
            var status = ext.AddPod(state, podToSchedule, podToAdd, nodeInfo);
            if (!status.IsSuccess) return WrapError("AddPod of PreFilterExtensions", plugin.Name, status);
        }

        return Status.Success;
    }

    public Status RunPreFilterExtensionRemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo)
    {
        foreach (var plugin in PreFilterPlugins)
        {
            if (plugin.PreFilterExtensions is not { } ext || state.SkipFilterPlugins.Contains(plugin.Name)) continue;
            var status = ext.RemovePod(state, podToSchedule, podToRemove, nodeInfo);
            if (!status.IsSuccess) return WrapError("RemovePod of PreFilterExtensions", plugin.Name, status);
        }

        return Status.Success;
    }

    /// <summary>
    /// Runs PostFilter plugins until one succeeds or returns UnschedulableAndUnresolvable; otherwise the
    /// rejection reasons of all of them, named after the first that rejected.
    /// </summary>
    public async Task<(PostFilterResult? Result, Status Status)> RunPostFilterPluginsAsync(
        CycleState state, V1Pod pod, NodeToStatus filteredNodeStatus, CancellationToken cancellationToken)
    {
        PostFilterResult? result = null;
        List<string> reasons = [];
        string? rejector = null;
        foreach (var plugin in PostFilterPlugins)
        {
            PostFilterResult? r;
            Status s;
            try
            {
                (r, s) = await plugin.PostFilterAsync(state, pod, filteredNodeStatus, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                (r, s) = (null, Status.AsError(e));
            }

            if (s.IsSuccess) return (r, s);
            if (s.Code == StatusCode.UnschedulableAndUnresolvable) return (r, s.WithPlugin(plugin.Name));
            if (!s.IsRejected) return (null, WrapError("PostFilter", plugin.Name, s));
            if (r is not null) result = r;
            reasons.AddRange(s.Reasons);
            rejector ??= plugin.Name;
        }

        var status = Status.Unschedulable([.. reasons]);
        return (result, rejector is null ? status : status.WithPlugin(rejector));
    }

    private static Status WrapError(string point, string plugin, Status status)
    {
        var inner = status.Error ?? new InvalidOperationException(status.Message);
        return Status.AsError(new InvalidOperationException($"running {point} plugin \"{plugin}\": {inner.Message}", inner)).WithPlugin(plugin);
    }
}
