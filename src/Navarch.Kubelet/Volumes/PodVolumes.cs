using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Volumes;

/// <summary>A pod's volumes as set up on the node: the CRI mounts each container gets from its volumeMounts.</summary>
public sealed class PodVolumes
{
    private readonly IReadOnlyDictionary<string, VolumeMountSource> _volumes;

    internal PodVolumes(IReadOnlyDictionary<string, VolumeMountSource> volumes, string? podDirectory = null)
    {
        _volumes = volumes;
        PodDirectory = podDirectory;
    }

    public static PodVolumes None { get; } = new(new Dictionary<string, VolumeMountSource>());

    /// <summary>The pod's directory on the node (<c>&lt;pods-directory&gt;/&lt;uid&gt;</c>), for kubelet-managed files such as etc-hosts; null when none.</summary>
    public string? PodDirectory { get; }

    /// <summary>
    /// The container's mounts as the kubelet's makeMounts builds them: the volume's directory (with subPath appended,
    /// created as a directory when missing), read-only when the mount or the volume kind says so, and the propagation.
    /// </summary>
    /// <exception cref="ContainerConfigException">A mount names no volume of the pod, or its subPath leaves the volume.</exception>
    public IReadOnlyList<Mount> MountsFor(V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var mounts = new List<Mount>();
        foreach (var volumeMount in container.VolumeMounts ?? [])
        {
            if (!_volumes.TryGetValue(volumeMount.Name, out var source))
            {
                throw new ContainerConfigException($"cannot find volume \"{volumeMount.Name}\" to mount into container \"{container.Name}\"");
            }

            var hostPath = source.HostPath;
            if (!string.IsNullOrEmpty(volumeMount.SubPath))
            {
                var subPath = volumeMount.SubPath;
                if (Path.IsPathRooted(subPath) || subPath.Split('/').Contains(".."))
                {
                    throw new ContainerConfigException($"subPath \"{subPath}\" of volume \"{volumeMount.Name}\" must be a relative path within the volume");
                }

                hostPath = Path.Combine(hostPath, subPath);
                if (!File.Exists(hostPath) && !Directory.Exists(hostPath) && new FileInfo(hostPath).LinkTarget is null)
                {
                    // As the kubelet does, a subPath that does not exist yet is created as a directory.
                    Directory.CreateDirectory(hostPath);
                }
            }

            mounts.Add(new Mount
            {
                ContainerPath = volumeMount.MountPath,
                HostPath = hostPath,
                Readonly = volumeMount.ReadOnlyProperty == true || source.ReadOnly,
                Propagation = volumeMount.MountPropagation switch
                {
                    "HostToContainer" => MountPropagation.PropagationHostToContainer,
                    "Bidirectional" => MountPropagation.PropagationBidirectional,
                    _ => MountPropagation.PropagationPrivate,
                },
            });
        }

        return mounts;
    }
}
