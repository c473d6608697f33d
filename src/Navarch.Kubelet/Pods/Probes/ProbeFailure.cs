namespace Navarch.Kubelet.Pods.Probes;

/// <summary>A liveness or startup probe that failed past its threshold; the container is killed with the probe's grace period if it has one.</summary>
public sealed record ProbeFailure(ProbeType Type, string Message, long? TerminationGracePeriodSeconds);
