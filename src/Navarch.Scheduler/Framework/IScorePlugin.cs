using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// Ranks a feasible node. Scores are normalized to 0-100 (by <see cref="ScoreExtensions"/> when the raw score is
/// in another range) and multiplied by the plugin's weight. Called concurrently for different nodes.
/// </summary>
public interface IScorePlugin : IPlugin
{
    (long Score, Status Status) Score(CycleState state, V1Pod pod, NodeInfo nodeInfo);

    IScoreExtensions? ScoreExtensions { get; }
}
