namespace Navarch.E2E.ControllerManager;

/// <summary>Desired replicas (spec) and current pods (status) of a rollout's new and old ReplicaSets.</summary>
internal sealed record RolloutProgress(int New, int Old, int NewPods, int OldPods);
