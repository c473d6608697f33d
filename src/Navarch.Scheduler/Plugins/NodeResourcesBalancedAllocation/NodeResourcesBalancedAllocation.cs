using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins.Helper;
using Navarch.Scheduler.Plugins.NodeResourcesFit;

namespace Navarch.Scheduler.Plugins.NodeResourcesBalancedAllocation;

/// <summary>
/// Favors nodes whose resources would be used in balance after placing the pod, as kube-scheduler's
/// NodeResourcesBalancedAllocation: real requests (no non-zero defaults), cpu and memory by default.
/// </summary>
public sealed class NodeResourcesBalancedAllocation : IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "NodeResourcesBalancedAllocation";

    private const string PreScoreStateKey = "PreScore" + PluginName;

    private readonly ResourceAllocationScorer _scorer;

    private NodeResourcesBalancedAllocation(ResourceAllocationScorer scorer) => _scorer = scorer;

    public string Name => PluginName;

    public IScoreExtensions? ScoreExtensions => null;

    /// <summary>Builds the plugin from <c>{resources: [{name, weight}]}</c>; weights must be 1, as Kubernetes validates.</summary>
    public static IPlugin New(JsonElement? args, IFrameworkHandle handle)
    {
        var decoded = PluginArgs.Decode<BalancedAllocationArgs>(args, PluginName) ?? new BalancedAllocationArgs();
        var errors = new List<string>();
        var resources = ResourceSpec.FromArgs(decoded.Resources, "resources", weightMustBeOne: true, errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid {PluginName}Args: {string.Join(", ", errors)}", nameof(args));
        }

        return new NodeResourcesBalancedAllocation(new ResourceAllocationScorer(resources, new BalancedResourceScorer(), useRequested: true));
    }

    /// <summary>
    /// Skips best-effort pods (no requests for any configured resource): they would otherwise all pile onto the
    /// same balanced node, as Kubernetes fixed in kubernetes/kubernetes#129138.
    /// </summary>
    public Status PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var podRequests = _scorer.PodRequests(pod);
        if (Array.TrueForAll(podRequests, static r => r == 0)) return Status.Skip;
        state.Write(PreScoreStateKey, new PreScoreState(podRequests));
        return Status.Success;
    }

    public (long Score, Status Status) Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var podRequests = state.TryRead<PreScoreState>(PreScoreStateKey, out var s) ? s.PodRequests : _scorer.PodRequests(pod);
        return _scorer.Score(nodeInfo, podRequests);
    }

    private sealed record PreScoreState(long[] PodRequests);
}
