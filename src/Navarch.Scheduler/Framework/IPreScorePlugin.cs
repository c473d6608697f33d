using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Runs once before Score over the feasible nodes; <see cref="Status.Skip"/> skips this plugin's Score.</summary>
public interface IPreScorePlugin : IPlugin
{
    Status PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes);
}
