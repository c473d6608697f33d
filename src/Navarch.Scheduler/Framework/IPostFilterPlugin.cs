using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Runs when no node passed Filter; DefaultPreemption nominates a node by evicting lower-priority pods.</summary>
public interface IPostFilterPlugin : IPlugin
{
    Task<(PostFilterResult? Result, Status Status)> PostFilterAsync(
        CycleState state, V1Pod pod, NodeToStatus filteredNodeStatus, CancellationToken cancellationToken);
}
