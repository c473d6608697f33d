namespace Navarch.Scheduler.Framework;

/// <summary>
/// Implemented by plugins that can reject pods: the cluster events that may make a pod they rejected
/// schedulable again. A plugin without it is assumed to care about every event.
/// </summary>
public interface IEnqueueExtensions : IPlugin
{
    IReadOnlyList<ClusterEvent> EventsToRegister();
}
