namespace Navarch.Kubelet.Volumes;

/// <summary>A volume of a pod could not be set up (the kubelet's FailedMount); the message says which and why.</summary>
public sealed class VolumeSetupException(string message, Exception? inner = null) : Exception(message, inner);
