namespace Navarch.Kubelet.Volumes;

/// <summary>One file of a ConfigMap, Secret, downward API or projected volume: its relative path, bytes and mode.</summary>
internal sealed record PayloadFile(string Path, byte[] Content, UnixFileMode Mode);
