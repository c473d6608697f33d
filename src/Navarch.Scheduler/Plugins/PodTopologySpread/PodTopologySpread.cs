using System.Text.Json;
using k8s.Models;
using Navarch.Api;
using Navarch.Api.Labels;
using Navarch.Api.Scheduling;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// Spreads pods across topology domains, as kube-scheduler's PodTopologySpread plugin: DoNotSchedule constraints
/// filter nodes by skew (matching pods in the node's domain, plus the pod itself if it matches, minus the global
/// minimum, must not exceed maxSkew); ScheduleAnyway constraints score nodes with fewer matching pods higher.
/// </summary>
public sealed class PodTopologySpread :
    IPreFilterPlugin, IPreFilterExtensions, IFilterPlugin, IPreScorePlugin, IScorePlugin, IScoreExtensions, IEnqueueExtensions
{
    public const string PluginName = "PodTopologySpread";

    /// <summary>Placing the pod on the node would exceed a constraint's maxSkew.</summary>
    public const string ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";

    /// <summary>The node lacks a constraint's topology key.</summary>
    public const string ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + " (missing required label)";

    internal const string PreFilterStateKey = "PreFilter" + PluginName;
    internal const string PreScoreStateKey = "PreScore" + PluginName;

    private const string DoNotSchedule = "DoNotSchedule";
    private const string ScheduleAnyway = "ScheduleAnyway";

    private static readonly IReadOnlyList<ClusterEvent> Events =
    [
        new(EventResource.Pod, ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete, "Pod Add|UpdatePodLabel|Delete"),
        new(EventResource.Node, ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint,
            "Node Add|Delete|UpdateNodeLabel|UpdateNodeTaint"),
    ];

    private readonly IFrameworkHandle _handle;
    private readonly PodTopologySpreadArgs _args;

    internal PodTopologySpread(PodTopologySpreadArgs args, IFrameworkHandle handle)
    {
        _args = args;
        _handle = handle;
    }

    public string Name => PluginName;

    public IPreFilterExtensions? PreFilterExtensions => this;

    public IScoreExtensions? ScoreExtensions => this;

    public static IPlugin New(JsonElement? args, IFrameworkHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return new PodTopologySpread(PodTopologySpreadArgs.Parse(args), handle);
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() => Events;

    public (PreFilterResult? Result, Status Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        List<SpreadConstraint> constraints;
        try
        {
            constraints = GetConstraints(pod, DoNotSchedule);
        }
        catch (SelectorParseException e)
        {
            return (null, Status.AsError(new InvalidOperationException($"get constraints from pod: {e.Message}", e)));
        }

        if (constraints.Count == 0) return (null, Status.Skip);

        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        var requiredAffinity = RequiredNodeAffinity.Of(pod);
        var counts = new Dictionary<string, int>[constraints.Count];
        for (var i = 0; i < counts.Length; i++) counts[i] = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var n = 0; n < nodes.Count; n++)
        {
            var nodeInfo = nodes[n];
            if (nodeInfo.Node is not { } node) continue;
            var labels = node.Metadata?.Labels;
            if (!SpreadConstraint.NodeHasAllKeys(labels, constraints)) continue;

            for (var i = 0; i < constraints.Count; i++)
            {
                var c = constraints[i];
                if (!c.MatchNodeInclusionPolicies(pod, node, requiredAffinity)) continue;
                var value = labels![c.TopologyKey]; // NodeHasAllKeys checked it.
                counts[i][value] = counts[i].GetValueOrDefault(value) + SpreadConstraint.CountMatchingPods(nodeInfo.Pods, c.Selector, ns);
            }
        }

        var paths = new CriticalPaths[constraints.Count];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = new CriticalPaths();
            foreach (var (value, num) in counts[i]) paths[i].Update(value, num);
        }

        state.Write(PreFilterStateKey, new PreFilterState(constraints, requiredAffinity, paths, counts));
        return (null, Status.Success);
    }

    public Status AddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo) =>
        Update(state, podToSchedule, podToAdd, nodeInfo, 1);

    public Status RemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo) =>
        Update(state, podToSchedule, podToRemove, nodeInfo, -1);

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!state.TryRead<PreFilterState>(PreFilterStateKey, out var s)) return MissingState(PreFilterStateKey);
        if (s.Constraints.Count == 0) return Status.Success;

        var labels = nodeInfo.Node?.Metadata?.Labels;
        for (var i = 0; i < s.Constraints.Count; i++)
        {
            var c = s.Constraints[i];
            if (labels is null || !labels.TryGetValue(c.TopologyKey, out var value))
            {
                return Status.UnschedulableAndUnresolvable(ErrReasonNodeLabelNotMatch);
            }

            // existing matches in the node's domain + the pod itself (if it matches) - global minimum <= maxSkew
            var selfMatch = c.Selector.Matches(pod.Metadata) ? 1 : 0;
            var skew = (long)s.TpValueToMatchNum[i].GetValueOrDefault(value) + selfMatch - s.MinMatchNum(i);
            if (skew > c.MaxSkew) return Status.Unschedulable(ErrReasonConstraintsNotMatch);
        }

        return Status.Success;
    }

    public Status PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var allNodes = _handle.SnapshotNodeInfos.List();
        if (allNodes.Count == 0) return Status.Skip;

        List<SpreadConstraint> constraints;
        try
        {
            constraints = GetConstraints(pod, ScheduleAnyway);
        }
        catch (SelectorParseException e)
        {
            return Status.AsError(new InvalidOperationException($"calculating preScoreState: {e.Message}", e));
        }

        if (constraints.Count == 0) return Status.Skip;

        // Only non-system-default rules require every topology key, so that nodes without a zone label still
        // get hostname spreading under the system defaults.
        var requireAllTopologies = pod.Spec?.TopologySpreadConstraints is { Count: > 0 } || !_args.SystemDefaulting;
        var ignored = new HashSet<string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, long>[constraints.Count];
        var domains = new int[constraints.Count];
        for (var i = 0; i < counts.Length; i++) counts[i] = new Dictionary<string, long>(StringComparer.Ordinal);

        for (var n = 0; n < nodes.Count; n++)
        {
            if (nodes[n].Node is not { } node) continue;
            var labels = node.Metadata?.Labels;
            if (requireAllTopologies && !SpreadConstraint.NodeHasAllKeys(labels, constraints))
            {
                ignored.Add(nodes[n].Name);
                continue;
            }

            for (var i = 0; i < constraints.Count; i++)
            {
                // Hostname domains are one node each; Score counts them directly.
                if (constraints[i].TopologyKey == SpreadConstraint.HostnameLabel) continue;
                var value = labels?.TryGetValue(constraints[i].TopologyKey, out var v) == true ? v : string.Empty;
                if (counts[i].TryAdd(value, 0)) domains[i]++;
            }
        }

        var weights = new double[constraints.Count];
        for (var i = 0; i < weights.Length; i++)
        {
            var size = constraints[i].TopologyKey == SpreadConstraint.HostnameLabel ? nodes.Count - ignored.Count : domains[i];
            weights[i] = Math.Log(size + 2);
        }

        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        var requiredAffinity = RequiredNodeAffinity.Of(pod);
        for (var n = 0; n < allNodes.Count; n++)
        {
            var nodeInfo = allNodes[n];
            if (nodeInfo.Node is not { } node) continue;
            var labels = node.Metadata?.Labels;
            if (requireAllTopologies && !SpreadConstraint.NodeHasAllKeys(labels, constraints)) continue;

            for (var i = 0; i < constraints.Count; i++)
            {
                var c = constraints[i];
                if (!c.MatchNodeInclusionPolicies(pod, node, requiredAffinity)) continue;
                var value = labels?.TryGetValue(c.TopologyKey, out var v) == true ? v : string.Empty;

                // Only domains of candidate nodes matter.
                if (!counts[i].TryGetValue(value, out var count)) continue;
                counts[i][value] = count + SpreadConstraint.CountMatchingPods(nodeInfo.Pods, c.Selector, ns);
            }
        }

        state.Write(PreScoreStateKey, new PreScoreState(constraints, ignored, counts, weights));
        return Status.Success;
    }

    public (long Score, Status Status) Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!state.TryRead<PreScoreState>(PreScoreStateKey, out var s)) return (0, MissingState(PreScoreStateKey));
        if (s.IgnoredNodes.Contains(nodeInfo.Name) || nodeInfo.Node?.Metadata?.Labels is not { } labels) return (0, Status.Success);

        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        double score = 0;
        for (var i = 0; i < s.Constraints.Count; i++)
        {
            var c = s.Constraints[i];
            if (!labels.TryGetValue(c.TopologyKey, out var value)) continue;
            var count = c.TopologyKey == SpreadConstraint.HostnameLabel
                ? SpreadConstraint.CountMatchingPods(nodeInfo.Pods, c.Selector, ns)
                : s.TopologyValueToPodCounts[i].GetValueOrDefault(value);

            // maxSkew-1 waters down differences between domains: the larger the tolerated skew, the flatter the score.
            score += (count * s.TopologyNormalizingWeight[i]) + (c.MaxSkew - 1);
        }

        return ((long)Math.Round(score, MidpointRounding.AwayFromZero), Status.Success);
    }

    /// <summary>Fewer matching pods scores higher: score = 100 * (max + min - raw) / max; ignored nodes get 0.</summary>
    public Status NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores)
    {
        if (!state.TryRead<PreScoreState>(PreScoreStateKey, out var s)) return MissingState(PreScoreStateKey);

        var min = long.MaxValue;
        long max = 0;
        foreach (ref readonly var score in scores)
        {
            if (s.IgnoredNodes.Contains(score.Name)) continue;
            if (score.Score < min) min = score.Score;
            if (score.Score > max) max = score.Score;
        }

        for (var i = 0; i < scores.Length; i++)
        {
            if (s.IgnoredNodes.Contains(scores[i].Name))
            {
                scores[i].Score = 0;
                continue;
            }

            scores[i].Score = max == 0 ? ScoreLimits.MaxNodeScore : ScoreLimits.MaxNodeScore * (max + min - scores[i].Score) / max;
        }

        return Status.Success;
    }

    /// <summary>The pod's own constraints with the action, or the configured defaults when it has none.</summary>
    private List<SpreadConstraint> GetConstraints(V1Pod pod, string action)
    {
        var labels = pod.Metadata?.Labels;
        if (pod.Spec?.TopologySpreadConstraints is { Count: > 0 } own) return SpreadConstraint.Filter(own, labels, action);
        if (_args.DefaultConstraints.Count == 0) return [];

        var constraints = SpreadConstraint.Filter(_args.DefaultConstraints, labels, action);
        if (constraints.Count == 0 || DefaultSelector.For(pod) is not { } selector) return [];
        for (var i = 0; i < constraints.Count; i++) constraints[i] = constraints[i] with { Selector = selector };
        return constraints;
    }

    private static Status Update(CycleState state, V1Pod podToSchedule, PodInfo pod, NodeInfo nodeInfo, int delta)
    {
        if (!state.TryRead<PreFilterState>(PreFilterStateKey, out var s)) return MissingState(PreFilterStateKey);
        if (nodeInfo.Node is { } node) s.UpdateWithPod(pod.Pod, podToSchedule, node, delta);
        return Status.Success;
    }

    private static Status MissingState(string key) => Status.AsError($"reading \"{key}\" from cycleState: not found");
}
