using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Rescales a plugin's raw scores for all feasible nodes into 0-100.</summary>
public interface IScoreExtensions
{
    Status NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores);
}
