using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Api.Scheduling;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins.Helper;

namespace Navarch.Scheduler.Plugins.NodeAffinity;

/// <summary>
/// spec.nodeSelector and node affinity, as kube-scheduler's NodeAffinity: Filter enforces the required terms
/// (and the profile's addedAffinity), PreFilter narrows the candidates when every term pins metadata.name, and
/// Score sums the weights of the preferred terms a node matches, normalized to 0-100.
/// </summary>
public sealed class NodeAffinity : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IScoreExtensions, IEnqueueExtensions
{
    public const string PluginName = "NodeAffinity";

    /// <summary>The reason for a node that does not match the pod's nodeSelector or required affinity.</summary>
    public const string ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

    /// <summary>The reason for a node that does not match the profile's addedAffinity.</summary>
    public const string ErrReasonEnforced = "node(s) didn't match scheduler-enforced node affinity";

    /// <summary>The PreFilter reason when every term names node names no other term allows.</summary>
    public const string ErrReasonConflict = "pod affinity terms conflict";

    private const string PreFilterStateKey = "PreFilter" + PluginName;
    private const string PreScoreStateKey = "PreScore" + PluginName;

    private static readonly ClusterEvent[] Events =
    [
        new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeLabel, "NodeAddOrUpdateLabel"),
    ];

    private static readonly Status RejectedPod = Status.UnschedulableAndUnresolvable(ErrReasonPod);
    private static readonly Status RejectedEnforced = Status.UnschedulableAndUnresolvable(ErrReasonEnforced);

    private readonly NodeSelectorMatcher? _addedNodeSelector;
    private readonly PreferredSchedulingTerms? _addedPreferred;

    private NodeAffinity(NodeSelectorMatcher? addedNodeSelector, PreferredSchedulingTerms? addedPreferred)
    {
        _addedNodeSelector = addedNodeSelector;
        _addedPreferred = addedPreferred;
    }

    public string Name => PluginName;

    public IPreFilterExtensions? PreFilterExtensions => null;

    public IScoreExtensions? ScoreExtensions => this;

    /// <summary>Builds the plugin; args <c>{addedAffinity: {...}}</c>. Terms that do not parse are an ArgumentException.</summary>
    public static IPlugin New(JsonElement? args, IFrameworkHandle handle)
    {
        V1NodeAffinity? added = null;
        if (args is { ValueKind: JsonValueKind.Object } element)
        {
            // Check the shape strictly first, then read the affinity with the Kubernetes model's own serializer.
            PluginArgs.Decode<RawArgs>(element, PluginName);
            if (element.TryGetProperty("addedAffinity", out var raw) && raw.ValueKind == JsonValueKind.Object)
            {
                added = KubernetesJson.Deserialize<V1NodeAffinity>(raw.GetRawText());
            }
        }
        else if (args is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } other)
        {
            throw new ArgumentException($"{PluginName} args must be an object, got {other.ValueKind}", nameof(args));
        }

        NodeSelectorMatcher? required = null;
        if (added?.RequiredDuringSchedulingIgnoredDuringExecution is { } selector)
        {
            required = NodeSelectorMatcher.Parse(selector, "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
            if (required.Errors.Count > 0)
            {
                throw new ArgumentException($"{PluginName} args: {string.Join("; ", required.Errors)}", nameof(args));
            }
        }

        PreferredSchedulingTerms? preferred = null;
        if (added?.PreferredDuringSchedulingIgnoredDuringExecution is { } terms)
        {
            try
            {
                preferred = PreferredSchedulingTerms.Parse(terms, "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution");
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{PluginName} args: {e.Message}", nameof(args), e);
            }
        }

        return new NodeAffinity(required, preferred);
    }

    public (PreFilterResult? Result, Status Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var required = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        if (required is null && _addedNodeSelector is null && pod.Spec?.NodeSelector is null)
        {
            return (null, Status.Skip);
        }

        state.Write(PreFilterStateKey, RequiredNodeAffinity.Of(pod));
        if (required?.NodeSelectorTerms is not { Count: > 0 } terms) return (null, Status.Success);

        // Terms are ORed and a term's requirements ANDed: the candidates are the union over terms of the
        // intersection of their "metadata.name In" values, and every node is a candidate once a term lacks one.
        HashSet<string>? nodeNames = null;
        foreach (var term in terms)
        {
            HashSet<string>? termNames = null;
            if (term.MatchFields is not null)
            {
                foreach (var field in term.MatchFields)
                {
                    if (field.Key != NodeSelectorTermMatcher.NodeNameField || field.OperatorProperty != "In") continue;
                    var values = new HashSet<string>(field.Values ?? [], StringComparer.Ordinal);
                    if (termNames is null) termNames = values;
                    else termNames.IntersectWith(values);
                }
            }

            if (termNames is null) return (null, Status.Success);
            if (nodeNames is null) nodeNames = termNames;
            else nodeNames.UnionWith(termNames);
        }

        if (nodeNames is { Count: 0 }) return (null, Status.UnschedulableAndUnresolvable(ErrReasonConflict));
        return (nodeNames is null ? null : new PreFilterResult(nodeNames), Status.Success);
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var node = nodeInfo.Node;
        if (node is null) return Status.AsError("node not found");
        if (_addedNodeSelector is not null && !_addedNodeSelector.Matches(node)) return RejectedEnforced;

        // Without PreFilter (disabled in the profile) the pod's constraints are parsed here, as upstream falls back.
        var required = state.TryRead<RequiredNodeAffinity>(PreFilterStateKey, out var parsed) ? parsed : RequiredNodeAffinity.Of(pod);
        return required.Matches(node) ? Status.Success : RejectedPod;
    }

    public Status PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        if (nodes.Count == 0) return Status.Success;
        PreferredSchedulingTerms? preferred;
        try
        {
            preferred = PodPreferred(pod);
        }
        catch (ArgumentException e)
        {
            return Status.AsError(e);
        }

        if (preferred is null && _addedPreferred is null) return Status.Skip;
        if (preferred is not null) state.Write(PreScoreStateKey, preferred);
        return Status.Success;
    }

    public (long Score, Status Status) Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var node = nodeInfo.Node;
        if (node is null) return (0, Status.AsError("node not found"));

        long count = 0;
        if (_addedPreferred is not null) count += _addedPreferred.Score(node);

        PreferredSchedulingTerms? preferred;
        if (state.TryRead<PreferredSchedulingTerms>(PreScoreStateKey, out var fromState))
        {
            preferred = fromState;
        }
        else
        {
            try
            {
                preferred = PodPreferred(pod);
            }
            catch (ArgumentException e)
            {
                return (0, Status.AsError(e));
            }
        }

        if (preferred is not null) count += preferred.Score(node);
        return (count, Status.Success);
    }

    public Status NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores)
    {
        ScoreNormalizer.DefaultNormalizeScore(ScoreLimits.MaxNodeScore, reverse: false, scores);
        return Status.Success;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() => Events;

    private static PreferredSchedulingTerms? PodPreferred(V1Pod pod) =>
        pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution is { } terms
            ? PreferredSchedulingTerms.Parse(terms)
            : null;

    /// <summary>The accepted top-level fields, for strict decoding; the affinity itself is read separately.</summary>
    private sealed class RawArgs
    {
        public JsonElement? AddedAffinity { get; init; }
    }
}
