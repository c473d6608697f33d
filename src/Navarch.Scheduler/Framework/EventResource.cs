namespace Navarch.Scheduler.Framework;

/// <summary>The kind of object a <see cref="ClusterEvent"/> is about.</summary>
public enum EventResource
{
    Pod,
    Node,
    Namespace,
    PriorityClass,
    WildCard,
}
