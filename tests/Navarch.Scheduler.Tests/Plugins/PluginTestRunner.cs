using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Tests.Plugins;

/// <summary>Runs one plugin's extension points the way the framework would, for table tests.</summary>
internal static class PluginTestRunner
{
    /// <summary>PreFilter (when the plugin has one and does not skip), then Filter on the node.</summary>
    public static Status Filter(IFilterPlugin plugin, V1Pod pod, NodeInfo node)
    {
        var state = new CycleState();
        if (plugin is IPreFilterPlugin preFilter)
        {
            var (_, status) = preFilter.PreFilter(state, pod, [node]);
            if (status.IsSkip) return Status.Success;
            if (!status.IsSuccess) return status;
        }

        return plugin.Filter(state, pod, node);
    }

    /// <summary>PreScore, Score on every node, then NormalizeScore: the final 0-100 score per node, in order.</summary>
    public static long[] Scores(IScorePlugin plugin, V1Pod pod, params NodeInfo[] nodes)
    {
        var state = new CycleState();
        if (plugin is IPreScorePlugin preScore)
        {
            var status = preScore.PreScore(state, pod, nodes);
            if (status.IsSkip) return new long[nodes.Length];
            Assert.True(status.IsSuccess, status.ToString());
        }

        var scores = new NodeScore[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            var (score, status) = plugin.Score(state, pod, nodes[i]);
            Assert.True(status.IsSuccess, status.ToString());
            scores[i] = new NodeScore(nodes[i].Name, score);
        }

        if (plugin.ScoreExtensions is { } extensions)
        {
            Assert.True(extensions.NormalizeScore(state, pod, scores).IsSuccess);
        }

        return Array.ConvertAll(scores, s => s.Score);
    }

    /// <summary>Args as a JsonElement, from a JSON literal.</summary>
    public static System.Text.Json.JsonElement Args(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();
}
