using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Queue;

/// <summary>The cluster events the scheduler raises itself, with kube-scheduler's labels.</summary>
public static class ClusterEvents
{
    public static readonly ClusterEvent AssignedPodAdd = new(EventResource.Pod, ActionType.Add, "AssignedPodAdd");
    public static readonly ClusterEvent AssignedPodUpdate = new(EventResource.Pod, ActionType.UpdatePodLabel, "AssignedPodUpdate");
    public static readonly ClusterEvent AssignedPodDelete = ClusterEvent.AssignedPodDelete;
    public static readonly ClusterEvent NodeAdd = ClusterEvent.NodeAdd;
    public static readonly ClusterEvent UnschedulableTimeout = ClusterEvent.UnschedulableTimeout;

    /// <summary>A node update, with one flag per scheduling-relevant property that changed.</summary>
    public static ClusterEvent NodeUpdate(ActionType changes) => new(EventResource.Node, changes, "NodeUpdate");
}
