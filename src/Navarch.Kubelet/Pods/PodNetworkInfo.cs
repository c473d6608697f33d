namespace Navarch.Kubelet.Pods;

/// <summary>What the kubelet knows about a pod's addresses when it builds container configs (for fieldRef env).</summary>
/// <param name="PodIP">The pod's IP once the sandbox has one; null before.</param>
/// <param name="HostIP">The node's IP; null when not known.</param>
public sealed record PodNetworkInfo(string? PodIP, string? HostIP)
{
    public static PodNetworkInfo None { get; } = new(null, null);
}
