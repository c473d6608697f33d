using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Volumes;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>What every container started in one sync pass shares: the sandbox, its config and network, and the pod's volumes.</summary>
/// <param name="ProbeHost">Where hooks dial (pod IP, or node IP for a host-network pod).</param>
internal sealed record ContainerStartContext(string SandboxId, PodSandboxConfig SandboxConfig, PodNetworkInfo Network, string? ProbeHost, PodVolumes Volumes);
