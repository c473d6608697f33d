using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Runtime;

public sealed partial class FrameworkRuntime
{
    public bool HasFilterPlugins => FilterPlugins.Count > 0;

    public bool HasPostFilterPlugins => PostFilterPlugins.Count > 0;

    public bool HasScorePlugins => ScorePlugins.Count > 0;

    /// <summary>Runs PreScore plugins over the feasible nodes; a Skip marks the plugin's Score as skipped.</summary>
    public Status RunPreScorePlugins(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        state.SkipScorePlugins.Clear();
        foreach (var plugin in PreScorePlugins)
        {
            Status status;
            try
            {
                status = plugin.PreScore(state, pod, nodes);
            }
            catch (Exception e)
            {
                status = Status.AsError(e);
            }

            if (status.IsSkip)
            {
                state.SkipScorePlugins.Add(plugin.Name);
                continue;
            }

            if (!status.IsSuccess) return WrapError("PreScore", plugin.Name, status);
        }

        return Status.Success;
    }

    /// <summary>
    /// Scores every node with every Score plugin not skipped (in parallel over nodes), normalizes each plugin's
    /// scores, checks they fall in 0..100, and sums them times the plugins' weights. Returns the total per node,
    /// in the order of <paramref name="nodes"/>.
    /// </summary>
    public (NodeScore[] Totals, Status Status) RunScorePlugins(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var totals = new NodeScore[nodes.Count];
        for (var i = 0; i < nodes.Count; i++) totals[i] = new NodeScore(nodes[i].Name, 0);

        List<IScorePlugin> active = [];
        foreach (var plugin in ScorePlugins)
        {
            if (!state.SkipScorePlugins.Contains(plugin.Name)) active.Add(plugin);
        }

        if (active.Count == 0) return (totals, Status.Success);

        var scores = new NodeScore[active.Count][];
        for (var p = 0; p < active.Count; p++) scores[p] = new NodeScore[nodes.Count];

        Status? firstError = null;
        using var cancel = new CancellationTokenSource();
        ParallelRunner.For(
            nodes.Count,
            _parallelism,
            i =>
            {
                var node = nodes[i];
                for (var p = 0; p < active.Count; p++)
                {
                    long score;
                    Status status;
                    try
                    {
                        (score, status) = active[p].Score(state, pod, node);
                    }
                    catch (Exception e)
                    {
                        (score, status) = (0, Status.AsError(e));
                    }

                    if (!status.IsSuccess)
                    {
                        Interlocked.CompareExchange(ref firstError, WrapError("Score", active[p].Name, status), null);
                        cancel.Cancel();
                        return;
                    }

                    scores[p][i] = new NodeScore(node.Name, score);
                }
            },
            cancel.Token);
        if (firstError is not null) return (totals, firstError);

        for (var p = 0; p < active.Count; p++)
        {
            var plugin = active[p];
            if (plugin.ScoreExtensions is { } ext)
            {
                var status = ext.NormalizeScore(state, pod, scores[p]);
                if (!status.IsSuccess) return (totals, WrapError("NormalizeScore", plugin.Name, status));
            }

            var weight = ScoreWeights[plugin.Name];
            var pluginScores = scores[p];
            for (var i = 0; i < pluginScores.Length; i++)
            {
                var score = pluginScores[i].Score;
                if (score is < ScoreLimits.MinNodeScore or > ScoreLimits.MaxNodeScore)
                {
                    return (totals, Status.AsError(
                        $"plugin \"{plugin.Name}\" returns an invalid score {score}, it should in the range of [{ScoreLimits.MinNodeScore}, {ScoreLimits.MaxNodeScore}] after normalizing")
                        .WithPlugin(plugin.Name));
                }

                totals[i].Score += score * weight;
            }
        }

        return (totals, Status.Success);
    }
}
