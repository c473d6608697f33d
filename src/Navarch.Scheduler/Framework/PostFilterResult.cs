namespace Navarch.Scheduler.Framework;

/// <summary>A PostFilter (preemption) outcome: the node the pod was nominated to once victims are gone.</summary>
public sealed record PostFilterResult(string? NominatedNodeName);
