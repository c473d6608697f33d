using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins.Helper;

namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// Resource requests against node allocatable, as kube-scheduler's NodeResourcesFit: Filter rejects nodes
/// without room ("Insufficient cpu", "Too many pods", ... — every short resource is listed), Score ranks nodes
/// by the configured strategy (LeastAllocated by default, MostAllocated, RequestedToCapacityRatio).
/// </summary>
public sealed class NodeResourcesFit : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeResourcesFit";

    public const string LeastAllocated = "LeastAllocated";
    public const string MostAllocated = "MostAllocated";
    public const string RequestedToCapacityRatio = "RequestedToCapacityRatio";

    /// <summary>The reason when the node already holds its allocatable number of pods.</summary>
    public const string ErrReasonTooManyPods = "Too many pods";

    private const string PreFilterStateKey = "PreFilter" + PluginName;
    private const string PreScoreStateKey = "PreScore" + PluginName;

    private static readonly ClusterEvent[] Events =
    [
        new(EventResource.Pod, ActionType.Delete | ActionType.UpdatePodScaleDown, "AssignedPodDeleteOrScaleDown"),
        new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeAllocatable, "NodeAddOrUpdateAllocatable"),
    ];

    private readonly HashSet<string> _ignoredResources;
    private readonly HashSet<string> _ignoredResourceGroups;
    private readonly ResourceAllocationScorer _scorer;

    private NodeResourcesFit(HashSet<string> ignoredResources, HashSet<string> ignoredResourceGroups, ResourceAllocationScorer scorer)
    {
        _ignoredResources = ignoredResources;
        _ignoredResourceGroups = ignoredResourceGroups;
        _scorer = scorer;
    }

    public string Name => PluginName;

    public IPreFilterExtensions? PreFilterExtensions => null;

    /// <summary>Scores are already 0-100; there is nothing to normalize.</summary>
    public IScoreExtensions? ScoreExtensions => null;

    /// <summary>
    /// Builds the plugin from <c>{scoringStrategy: {type, resources: [{name, weight}], requestedToCapacityRatio:
    /// {shape: [{utilization, score}]}}, ignoredResources, ignoredResourceGroups}</c>; invalid args throw
    /// ArgumentException listing every problem.
    /// </summary>
    public static IPlugin New(JsonElement? args, IFrameworkHandle handle)
    {
        var decoded = PluginArgs.Decode<NodeResourcesFitArgs>(args, PluginName) ?? new NodeResourcesFitArgs();
        var errors = new List<string>();

        var groups = new HashSet<string>(StringComparer.Ordinal);
        if (decoded.IgnoredResourceGroups is { } groupList)
        {
            for (var i = 0; i < groupList.Count; i++)
            {
                if (groupList[i].Contains('/'))
                {
                    errors.Add($"ignoredResourceGroups[{i}]: Invalid value: \"{groupList[i]}\": resource group name can't contain '/'");
                }

                groups.Add(groupList[i]);
            }
        }

        var strategy = decoded.ScoringStrategy;
        var type = strategy is null ? LeastAllocated : strategy.Type ?? string.Empty;
        var resources = ResourceSpec.FromArgs(strategy?.Resources, "scoringStrategy.resources", weightMustBeOne: false, errors);
        IResourceScorer? scorer = type switch
        {
            LeastAllocated => new LeastAllocatedScorer(resources),
            MostAllocated => new MostAllocatedScorer(resources),
            RequestedToCapacityRatio => RatioScorer(strategy?.RequestedToCapacityRatio, resources, errors),
            _ => null,
        };
        if (scorer is null && type is not RequestedToCapacityRatio)
        {
            errors.Add($"scoringStrategy.type: Unsupported value: \"{type}\": supported values: "
                + $"\"{LeastAllocated}\", \"{MostAllocated}\", \"{RequestedToCapacityRatio}\"");
        }

        if (errors.Count > 0 || scorer is null)
        {
            throw new ArgumentException($"invalid {PluginName}Args: {string.Join(", ", errors)}", nameof(args));
        }

        return new NodeResourcesFit(
            new HashSet<string>(decoded.IgnoredResources ?? [], StringComparer.Ordinal),
            groups,
            new ResourceAllocationScorer(resources, scorer, useRequested: false));
    }

    public (PreFilterResult? Result, Status Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        state.Write(PreFilterStateKey, PodResourceRequest.From(PodRequests.Compute(pod), IsIgnored));
        return (null, Status.Success);
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!state.TryRead<PodResourceRequest>(PreFilterStateKey, out var request))
        {
            return Status.AsError($"error reading \"{PreFilterStateKey}\" from cycleState: not found");
        }

        var reasons = request.InsufficientResources(nodeInfo);
        return reasons is null ? Status.Success : Status.Unschedulable([.. reasons]);
    }

    public Status PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        state.Write(PreScoreStateKey, new PreScoreState(_scorer.PodRequests(pod)));
        return Status.Success;
    }

    public (long Score, Status Status) Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var podRequests = state.TryRead<PreScoreState>(PreScoreStateKey, out var s) ? s.PodRequests : _scorer.PodRequests(pod);
        return _scorer.Score(nodeInfo, podRequests);
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() => Events;

    /// <summary>The reasons the pod does not fit the node, or null when it fits (exposed for preemption and tests).</summary>
    internal static List<string>? Fits(V1Pod pod, NodeInfo nodeInfo) =>
        PodResourceRequest.From(PodRequests.Compute(pod), static _ => false).InsufficientResources(nodeInfo);

    /// <summary>
    /// Only extended resources can be ignored, by full name (ignoredResources) or by the domain before the '/'
    /// (ignoredResourceGroups).
    /// </summary>
    private bool IsIgnored(string resource)
    {
        if (!IsExtendedResourceName(resource)) return false;
        if (_ignoredResources.Contains(resource)) return true;
        if (_ignoredResourceGroups.Count == 0) return false;
        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        return _ignoredResourceGroups.Contains(slash < 0 ? resource : resource[..slash]);
    }

    /// <summary>A domain-qualified name outside kubernetes.io (v1helper.IsExtendedResourceName).</summary>
    private static bool IsExtendedResourceName(string name) =>
        name.Contains('/') && !name.Contains("kubernetes.io/", StringComparison.Ordinal)
        && !name.StartsWith("requests.", StringComparison.Ordinal);

    private static RequestedToCapacityRatioScorer? RatioScorer(
        RequestedToCapacityRatioArgs? args, IReadOnlyList<ResourceSpec> resources, List<string> errors)
    {
        const string path = "scoringStrategy.requestedToCapacityRatio";
        if (args is null)
        {
            errors.Add($"{path}: Required value");
            return null;
        }

        var shape = args.Shape ?? [];
        if (shape.Count == 0)
        {
            errors.Add($"{path}.shape: Required value: at least one point must be specified");
            return null;
        }

        var points = new (int, int)[shape.Count];
        var before = errors.Count;
        for (var i = 0; i < shape.Count; i++)
        {
            var (utilization, score) = (shape[i].Utilization, shape[i].Score);
            if (utilization is < 0 or > 100)
            {
                errors.Add($"{path}.shape[{i}].utilization: Invalid value: {utilization}: not in valid range [0, 100]");
            }
            else if (i > 0 && utilization <= shape[i - 1].Utilization)
            {
                errors.Add($"{path}.shape[{i}].utilization: Invalid value: {utilization}: utilization values must be sorted in increasing order");
            }

            if (score is < 0 or > RequestedToCapacityRatioScorer.MaxCustomPriorityScore)
            {
                errors.Add($"{path}.shape[{i}].score: Invalid value: {score}: not in valid range [0, {RequestedToCapacityRatioScorer.MaxCustomPriorityScore}]");
            }

            points[i] = (utilization, score);
        }

        return errors.Count == before ? new RequestedToCapacityRatioScorer(resources, points) : null;
    }

    private sealed record PreScoreState(long[] PodRequests);
}
