using k8s.Models;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// What one container's CRI config needs beyond the pod spec: the mounts of its volumes and the ConfigMaps and Secrets
/// its env refers to (by name, in the pod's namespace), read from the API before the container is created.
/// </summary>
public sealed record ContainerInputs
{
    public static ContainerInputs Empty { get; } = new();

    public IReadOnlyList<Mount> Mounts { get; init; } = [];

    /// <summary>The referenced ConfigMaps that exist, by name; one absent here does not exist.</summary>
    public IReadOnlyDictionary<string, V1ConfigMap> ConfigMaps { get; init; } = new Dictionary<string, V1ConfigMap>();

    /// <summary>The referenced Secrets that exist, by name; one absent here does not exist.</summary>
    public IReadOnlyDictionary<string, V1Secret> Secrets { get; init; } = new Dictionary<string, V1Secret>();

    /// <summary>The node's allocatable resources: resourceFieldRef limits default to them, and Burstable OOM scores use its memory.</summary>
    public IReadOnlyDictionary<string, ResourceQuantity>? NodeAllocatable { get; init; }

    /// <summary>
    /// The service variables the container gets (KUBERNETES_SERVICE_HOST and the like); they fill <c>$(VAR)</c> references
    /// and are appended after the container's own env, which wins on a clash.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ServiceEnvironment { get; init; } = [];

    /// <summary>The pod's directory on the node; when set, the container gets the kubelet-managed /etc/hosts written there.</summary>
    public string? PodDirectory { get; init; }

    /// <summary>The image's user, for runAsNonRoot; null when not known (the check is then left to what is known).</summary>
    public ImageUser? ImageUser { get; init; }
}
