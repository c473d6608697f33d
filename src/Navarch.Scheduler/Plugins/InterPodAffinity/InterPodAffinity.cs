using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// Pod affinity and anti-affinity, as kube-scheduler's InterPodAffinity plugin: required terms filter nodes
/// (the incoming pod's own terms, and existing pods' anti-affinity terms that select it), preferred terms and
/// existing pods' terms score them.
/// </summary>
public sealed class InterPodAffinity :
    IPreFilterPlugin, IPreFilterExtensions, IFilterPlugin, IPreScorePlugin, IScorePlugin, IScoreExtensions, IEnqueueExtensions
{
    public const string PluginName = "InterPodAffinity";

    /// <summary>Existing pods' required anti-affinity selects the incoming pod in the node's domain.</summary>
    public const string ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

    /// <summary>The incoming pod's required affinity is not satisfied on the node.</summary>
    public const string ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";

    /// <summary>The incoming pod's required anti-affinity is violated on the node.</summary>
    public const string ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

    internal const string PreFilterStateKey = "PreFilter" + PluginName;
    internal const string PreScoreStateKey = "PreScore" + PluginName;

    private static readonly IReadOnlyList<ClusterEvent> Events =
    [
        new(EventResource.Pod, ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete, "Pod Add|UpdatePodLabel|Delete"),
        new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeLabel, "Node Add|UpdateNodeLabel"),
    ];

    private readonly IFrameworkHandle _handle;
    private readonly InterPodAffinityArgs _args;

    internal InterPodAffinity(InterPodAffinityArgs args, IFrameworkHandle handle)
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
        return new InterPodAffinity(InterPodAffinityArgs.Parse(args), handle);
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() => Events;

    public (PreFilterResult? Result, Status Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var podInfo = new PodInfo(pod);
        var namespaceLabels = _handle.Client.NamespaceLabels(pod.Metadata?.NamespaceProperty ?? "default");
        var resolver = new NamespaceLabelResolver(_handle.Client);

        // Only nodes running pods with required anti-affinity can reject the pod on their behalf.
        var existingAntiAffinity = new TopologyCounts();
        var withAntiAffinity = _handle.SnapshotNodeInfos.HavePodsWithRequiredAntiAffinity();
        for (var n = 0; n < withAntiAffinity.Count; n++)
        {
            var nodeInfo = withAntiAffinity[n];
            if (nodeInfo.Node is not { } node) continue;
            var existingPods = nodeInfo.PodsWithRequiredAntiAffinity;
            for (var p = 0; p < existingPods.Count; p++)
            {
                existingAntiAffinity.UpdateWithExistingAntiAffinityTerms(existingPods[p].RequiredAntiAffinityTerms, pod, namespaceLabels, node, 1);
            }
        }

        var affinity = new TopologyCounts();
        var antiAffinity = new TopologyCounts();
        if (podInfo.RequiredAffinityTerms.Count > 0 || podInfo.RequiredAntiAffinityTerms.Count > 0)
        {
            for (var n = 0; n < nodes.Count; n++)
            {
                var nodeInfo = nodes[n];
                if (nodeInfo.Node is not { } node) continue;
                var existingPods = nodeInfo.Pods;
                for (var p = 0; p < existingPods.Count; p++)
                {
                    var existing = existingPods[p].Pod;
                    affinity.UpdateWithAffinityTerms(podInfo.RequiredAffinityTerms, existing, resolver, node, 1);
                    antiAffinity.UpdateWithIncomingAntiAffinityTerms(podInfo.RequiredAntiAffinityTerms, existing, resolver, node, 1);
                }
            }
        }

        if (existingAntiAffinity.Count == 0 && podInfo.RequiredAffinityTerms.Count == 0 && podInfo.RequiredAntiAffinityTerms.Count == 0)
        {
            return (null, Status.Skip);
        }

        state.Write(PreFilterStateKey, new PreFilterState(podInfo, namespaceLabels, resolver, existingAntiAffinity, affinity, antiAffinity));
        return (null, Status.Success);
    }

    public Status AddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo) =>
        Update(state, podToAdd, nodeInfo, 1);

    public Status RemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo) =>
        Update(state, podToRemove, nodeInfo, -1);

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (nodeInfo.Node is not { } node) return Status.AsError("node not found");
        if (!state.TryRead<PreFilterState>(PreFilterStateKey, out var s)) return MissingState(PreFilterStateKey);

        var labels = node.Metadata?.Labels;
        if (!SatisfiesPodAffinity(s, labels)) return Status.UnschedulableAndUnresolvable(ErrReasonAffinityRulesNotMatch);
        if (!SatisfiesPodAntiAffinity(s, labels)) return Status.Unschedulable(ErrReasonAntiAffinityRulesNotMatch);
        if (!SatisfiesExistingPodsAntiAffinity(s, labels)) return Status.Unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);
        return Status.Success;
    }

    public Status PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var podInfo = new PodInfo(pod);
        var hasPreferences = podInfo.PreferredAffinityTerms.Count > 0 || podInfo.PreferredAntiAffinityTerms.Count > 0;
        if (_args.IgnorePreferredTermsOfExistingPods && !hasPreferences) return Status.Skip;

        // Unless the incoming pod has preferences, only pods with affinity terms can contribute.
        var lister = _handle.SnapshotNodeInfos;
        var allNodes = hasPreferences ? lister.List() : lister.HavePodsWithAffinity();
        var scorer = new TopologyScorer(
            podInfo,
            _handle.Client.NamespaceLabels(pod.Metadata?.NamespaceProperty ?? "default"),
            new NamespaceLabelResolver(_handle.Client),
            _args.HardPodAffinityWeight);
        for (var n = 0; n < allNodes.Count; n++)
        {
            var nodeInfo = allNodes[n];
            if (nodeInfo.Node is not { } node || node.Metadata?.Labels is not { Count: > 0 }) continue;
            var pods = hasPreferences ? nodeInfo.Pods : nodeInfo.PodsWithAffinity;
            for (var p = 0; p < pods.Count; p++) scorer.ProcessExistingPod(pods[p], node);
        }

        if (!scorer.AnyMatch) return Status.Skip;
        state.Write(PreScoreStateKey, new PreScoreState(scorer.Scores));
        return Status.Success;
    }

    public (long Score, Status Status) Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!state.TryRead<PreScoreState>(PreScoreStateKey, out var s)) return (0, MissingState(PreScoreStateKey));
        if (nodeInfo.Node?.Metadata?.Labels is not { } labels) return (0, Status.Success);

        long score = 0;
        foreach (var (topologyKey, values) in s.TopologyScore)
        {
            if (labels.TryGetValue(topologyKey, out var value) && values.TryGetValue(value, out var weight)) score += weight;
        }

        return (score, Status.Success);
    }

    /// <summary>Min-max scaling to 0-100, truncating as kube-scheduler's int64 conversion does.</summary>
    public Status NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores)
    {
        if (!state.TryRead<PreScoreState>(PreScoreStateKey, out var s)) return MissingState(PreScoreStateKey);
        if (s.TopologyScore.Count == 0) return Status.Success;

        var min = long.MaxValue;
        var max = long.MinValue;
        foreach (ref readonly var score in scores)
        {
            if (score.Score > max) max = score.Score;
            if (score.Score < min) min = score.Score;
        }

        var diff = max - min;
        for (var i = 0; i < scores.Length; i++)
        {
            var scaled = diff > 0 ? ScoreLimits.MaxNodeScore * ((double)(scores[i].Score - min) / diff) : 0d;
            scores[i].Score = (long)scaled;
        }

        return Status.Success;
    }

    private static bool SatisfiesPodAffinity(PreFilterState s, IDictionary<string, string>? labels)
    {
        var terms = s.PodInfo.RequiredAffinityTerms;
        var podsExist = true;
        for (var i = 0; i < terms.Count; i++)
        {
            // Every topology key must be on the node, whatever the counts say.
            if (labels is null || !labels.TryGetValue(terms[i].TopologyKey, out var value)) return false;
            if (s.AffinityCounts[new TopologyPair(terms[i].TopologyKey, value)] <= 0) podsExist = false;
        }

        if (podsExist) return true;

        // The first pod of a group with affinity to itself: no pod anywhere matches, but the pod matches its own
        // terms, so it may go anywhere that has the topology keys (otherwise such groups would never start).
        return s.AffinityCounts.Count == 0 && AffinityMatching.PodMatchesAllIncomingTerms(terms, s.PodInfo.Pod, s.Resolver);
    }

    private static bool SatisfiesPodAntiAffinity(PreFilterState s, IDictionary<string, string>? labels)
    {
        if (s.AntiAffinityCounts.Count == 0 || labels is null) return true;
        var terms = s.PodInfo.RequiredAntiAffinityTerms;
        for (var i = 0; i < terms.Count; i++)
        {
            if (labels.TryGetValue(terms[i].TopologyKey, out var value)
                && s.AntiAffinityCounts[new TopologyPair(terms[i].TopologyKey, value)] > 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool SatisfiesExistingPodsAntiAffinity(PreFilterState s, IDictionary<string, string>? labels)
    {
        if (s.ExistingAntiAffinityCounts.Count == 0 || labels is null) return true;

        // The node's domain for each counted topology key (a handful), as kube-scheduler checks the node's labels.
        foreach (var key in s.ExistingAntiAffinityCounts.Keys)
        {
            if (labels.TryGetValue(key, out var value) && s.ExistingAntiAffinityCounts[new TopologyPair(key, value)] > 0) return false;
        }

        return true;
    }

    private static Status Update(CycleState state, PodInfo pod, NodeInfo nodeInfo, long multiplier)
    {
        if (!state.TryRead<PreFilterState>(PreFilterStateKey, out var s)) return MissingState(PreFilterStateKey);
        if (nodeInfo.Node is { } node) s.UpdateWithPod(pod, node, multiplier);
        return Status.Success;
    }

    private static Status MissingState(string key) => Status.AsError($"error reading \"{key}\" from cycleState: not found");
}
