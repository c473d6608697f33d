namespace Navarch.Kubelet.Pods;

/// <summary>
/// The pod's spec cannot be turned into a container config (an unsupported env source, for example); the kubelet
/// reports it as the container waiting with reason <c>CreateContainerConfigError</c>.
/// </summary>
public sealed class ContainerConfigException(string message) : Exception(message);
