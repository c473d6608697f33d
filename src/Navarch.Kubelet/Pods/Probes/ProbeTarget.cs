using k8s.Models;

namespace Navarch.Kubelet.Pods.Probes;

/// <summary>What a probe or hook acts on: the pod, the container's spec and runtime id, and the address its network actions dial.</summary>
/// <param name="Host">The pod IP, or the node's IP for a host-network pod, as the kubelet's prober picks it.</param>
public sealed record ProbeTarget(V1Pod Pod, V1Container Container, string ContainerId, string? Host);
