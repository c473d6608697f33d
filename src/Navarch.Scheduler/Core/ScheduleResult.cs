namespace Navarch.Scheduler.Core;

/// <summary>The node chosen for a pod and how many nodes were looked at.</summary>
public sealed record ScheduleResult(string SuggestedHost, int EvaluatedNodes, int FeasibleNodes);
