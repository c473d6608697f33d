namespace Navarch.Scheduler.Framework;

/// <summary>
/// A change in the cluster that may make unschedulable pods schedulable, as kube-scheduler's ClusterEvent. A
/// plugin lists the events that can undo its rejections (<see cref="IEnqueueExtensions"/>); the queue moves a pod
/// back only when an event matches one of the plugins that rejected it.
/// </summary>
public readonly record struct ClusterEvent(EventResource Resource, ActionType Actions, string Label)
{
    public static readonly ClusterEvent NodeAdd = new(EventResource.Node, ActionType.Add, "NodeAdd");
    public static readonly ClusterEvent AssignedPodDelete = new(EventResource.Pod, ActionType.Delete, "AssignedPodDelete");
    public static readonly ClusterEvent UnschedulableTimeout = new(EventResource.WildCard, ActionType.All, "UnschedulableTimeout");

    /// <summary>True when this (registered) event covers <paramref name="happened"/>.</summary>
    public bool Covers(ClusterEvent happened) =>
        (Resource == EventResource.WildCard || happened.Resource == EventResource.WildCard || Resource == happened.Resource)
        && (Actions & happened.Actions) != 0;
}
