namespace Navarch.Kubelet.Volumes;

/// <summary>Where a set-up volume lives on the node, and whether it must be mounted read-only (ConfigMap, Secret, ...).</summary>
internal sealed record VolumeMountSource(string HostPath, bool ReadOnly);
