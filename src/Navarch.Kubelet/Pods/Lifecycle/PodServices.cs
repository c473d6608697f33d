using Navarch.Client.Events;
using Navarch.Kubelet.Images;
using Navarch.Kubelet.Pods.Probes;
using Navarch.Kubelet.Volumes;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>
/// The node-wide parts a pod's sync uses, shared by every pod's runner: volumes, config inputs, images, events and the
/// probe machinery. Missing parts fall back to doing without (no volumes, no inputs from the API, images as present).
/// </summary>
public sealed record PodServices
{
    public PodVolumeManager? Volumes { get; init; }

    public ContainerInputsResolver? Inputs { get; init; }

    public ImagePuller? Images { get; init; }

    public IEventRecorder Events { get; init; } = NullEventRecorder.Instance;

    /// <summary>The node-wide listing routine syncs read instead of listing each pod; null lists per pod.</summary>
    public RuntimeRelist? Relist { get; init; }

    /// <summary>Runs probe and hook actions; one per node so its HTTP client is shared. Null makes the runner own one.</summary>
    public ProbeActions? Actions { get; init; }
}
