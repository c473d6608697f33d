namespace Navarch.Kubelet.Pods.Probes;

/// <summary>What the probes say of a running container: <c>started</c> (startup probe passed, or none) and <c>ready</c>.</summary>
public sealed record ContainerHealth(bool Started, bool Ready);
