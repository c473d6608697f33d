using System.Text.Json;
using k8s.Models;
using Navarch.Api.Scheduling;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins.Helper;

namespace Navarch.Scheduler.Plugins.TaintToleration;

/// <summary>
/// Taints and tolerations, as kube-scheduler's TaintToleration: Filter rejects a node with a NoSchedule or
/// NoExecute taint the pod does not tolerate; Score prefers nodes with fewer untolerated PreferNoSchedule taints.
/// </summary>
public sealed class TaintToleration : IFilterPlugin, IPreScorePlugin, IScorePlugin, IScoreExtensions, IEnqueueExtensions
{
    public const string PluginName = "TaintToleration";

    private const string PreScoreStateKey = "PreScore" + PluginName;

    private static readonly ClusterEvent[] Events =
    [
        new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeTaint, "NodeAddOrUpdateTaint"),
        new(EventResource.Pod, ActionType.UpdatePodTolerations, "PodUpdateTolerations"),
    ];

    private TaintToleration()
    {
    }

    public string Name => PluginName;

    public IScoreExtensions? ScoreExtensions => this;

    public static IPlugin New(JsonElement? args, IFrameworkHandle handle) => new TaintToleration();

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var taint = Tolerations.FindUntolerated(nodeInfo.Node?.Spec?.Taints, pod.Spec?.Tolerations, TaintEffectFilter.DoNotSchedule);
        if (taint is null) return Status.Success;

        // Kubernetes prints the taint as "{key: value}"; an empty value leaves "{key: }".
        return Status.UnschedulableAndUnresolvable($"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}");
    }

    public Status PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        if (nodes.Count == 0) return Status.Success;
        state.Write(PreScoreStateKey, new PreScoreState(PreferNoScheduleTolerations(pod.Spec?.Tolerations)));
        return Status.Success;
    }

    public (long Score, Status Status) Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var tolerations = state.TryRead<PreScoreState>(PreScoreStateKey, out var s)
            ? s.Tolerations
            : PreferNoScheduleTolerations(pod.Spec?.Tolerations);
        return (Tolerations.CountUntolerated(nodeInfo.Node?.Spec?.Taints, tolerations, TaintEffectFilter.PreferNoSchedule), Status.Success);
    }

    /// <summary>More untolerated soft taints means a lower score: the counts are normalized in reverse.</summary>
    public Status NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores)
    {
        ScoreNormalizer.DefaultNormalizeScore(ScoreLimits.MaxNodeScore, reverse: true, scores);
        return Status.Success;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() => Events;

    /// <summary>Tolerations that can tolerate a PreferNoSchedule taint: that effect, or no effect (every effect).</summary>
    private static V1Toleration[] PreferNoScheduleTolerations(IList<V1Toleration>? tolerations)
    {
        if (tolerations is null || tolerations.Count == 0) return [];
        var result = new List<V1Toleration>(tolerations.Count);
        foreach (var toleration in tolerations)
        {
            if (string.IsNullOrEmpty(toleration.Effect) || toleration.Effect == TaintEffects.PreferNoSchedule)
            {
                result.Add(toleration);
            }
        }

        return [.. result];
    }

    private sealed record PreScoreState(V1Toleration[] Tolerations);
}
