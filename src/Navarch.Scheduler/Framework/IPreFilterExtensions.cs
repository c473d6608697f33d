using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Updates a plugin's PreFilter state as if a pod were added to or removed from a node.</summary>
public interface IPreFilterExtensions
{
    Status AddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo);

    Status RemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo);
}
