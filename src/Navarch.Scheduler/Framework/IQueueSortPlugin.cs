namespace Navarch.Scheduler.Framework;

/// <summary>Orders the active queue; exactly one per profile (PrioritySort by default).</summary>
public interface IQueueSortPlugin : IPlugin
{
    /// <summary>True when <paramref name="a"/> should be scheduled before <paramref name="b"/>.</summary>
    bool Less(QueuedPodInfo a, QueuedPodInfo b);
}
