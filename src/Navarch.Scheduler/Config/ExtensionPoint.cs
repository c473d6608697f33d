namespace Navarch.Scheduler.Config;

/// <summary>The extension points a profile configures plugins for, in the order a pod meets them.</summary>
public enum ExtensionPoint
{
    PreEnqueue,
    QueueSort,
    PreFilter,
    Filter,
    PostFilter,
    PreScore,
    Score,
    Reserve,
    Permit,
    PreBind,
    Bind,
    PostBind,
}
