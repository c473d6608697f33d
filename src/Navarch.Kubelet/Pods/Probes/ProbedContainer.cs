using k8s.Models;

namespace Navarch.Kubelet.Pods.Probes;

/// <summary>A running container the probes look after: its spec, runtime id and start time (initialDelaySeconds counts from it).</summary>
public sealed record ProbedContainer(V1Container Spec, string Id, DateTimeOffset StartedAt);
