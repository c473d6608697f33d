namespace Navarch.Kubelet.Pods;

/// <summary>Why a container is not running yet, as the kubelet reports it in <c>state.waiting</c> (e.g. <c>ErrImagePull</c>).</summary>
public sealed record ContainerWaitingReason(string Reason, string Message);
