using Navarch.Client;

namespace Navarch.Kubelet.Hosting;

/// <summary>Options of the kubelet component, from <c>navarch agent</c> / <c>navarch kubelet</c> flags or <c>navarch server</c>.</summary>
public sealed record KubeletHostOptions
{
    /// <summary>The Node's name; the kubelet's client identity is <c>system:node:&lt;name&gt;</c>.</summary>
    public required string NodeName { get; init; }

    /// <summary>The agent's directory, <c>&lt;data-dir&gt;/agent</c>: containerd, images, cni, pods and logs live under it.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// A containerd already running (<c>--container-runtime-endpoint</c>, a socket path with or without <c>unix://</c>);
    /// null runs our own containerd under <see cref="ContainerdDirectory"/>.
    /// </summary>
    public string? ContainerRuntimeEndpoint { get; init; }

    /// <summary>The containerd binary for the supervised containerd; looked up on PATH when not rooted.</summary>
    public string ContainerdPath { get; init; } = "containerd";

    /// <summary>
    /// The snapshotter images are unpacked for when they are imported into a containerd given by
    /// <see cref="ContainerRuntimeEndpoint"/>; a supervised containerd reports its own.
    /// </summary>
    public string ExternalSnapshotter { get; init; } = "overlayfs";

    /// <summary>As <c>--node-status-update-frequency</c>.</summary>
    public TimeSpan NodeStatusUpdateFrequency { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the node Lease is renewed.</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a pod that is not finished has its runtime status read (and posted when it changed).</summary>
    public TimeSpan PodStatusInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Client limits (--kube-api-qps, --kube-api-burst).</summary>
    public ClientRateLimit RateLimit { get; init; } = ClientRateLimit.Kubelet;

    /// <summary>The kubelet API's HTTPS port, as <c>--port</c> (10250); 0 picks a free port, which the Node then reports.</summary>
    public int KubeletPort { get; init; } = 10250;

    /// <summary>The kubelet API's bind address, as <c>--address</c>.</summary>
    public System.Net.IPAddress KubeletBindAddress { get; init; } = System.Net.IPAddress.Any;

    /// <summary>
    /// The cluster CA (PEM) the API server's client certificate must chain to. With neither this nor
    /// <see cref="ClientCaFile"/> the kubelet API is not served: nobody could be let in.
    /// </summary>
    public string? ClientCaPem { get; init; }

    /// <summary>A file holding the cluster CA, as <c>--client-ca-file</c>; read when the kubelet starts.</summary>
    public string? ClientCaFile { get; init; }

    /// <summary>Container log rotation, as the kubelet's containerLogMaxSize and containerLogMaxFiles.</summary>
    public Logs.ContainerLogRotationOptions LogRotation { get; init; } = new();

    /// <summary>The kubelet's own files (its API's serving certificate).</summary>
    public string KubeletDirectory => Path.Combine(DataDirectory, "kubelet");

    /// <summary>Localhost seccomp profiles (<c>seccompProfile.localhostProfile</c> is a path under it), as the kubelet's <c>&lt;root-dir&gt;/seccomp</c>.</summary>
    public string SeccompProfileDirectory => Path.Combine(KubeletDirectory, "seccomp");

    public string ContainerdDirectory => Path.Combine(DataDirectory, "containerd");

    /// <summary>Image tarballs imported at start, for air-gapped nodes.</summary>
    public string ImagesDirectory => Path.Combine(DataDirectory, "images");

    public string CniDirectory => Path.Combine(DataDirectory, "cni");

    public string LogsDirectory => Path.Combine(DataDirectory, "logs");

    /// <summary>Per-pod directories (volumes) under <c>&lt;agent&gt;/pods/&lt;uid&gt;</c>, as the kubelet's root dir has them.</summary>
    public string PodsDirectory => Path.Combine(DataDirectory, "pods");

    /// <summary>The CRI socket path of <see cref="ContainerRuntimeEndpoint"/>, without its <c>unix://</c> scheme.</summary>
    public string? ContainerRuntimeSocket =>
        ContainerRuntimeEndpoint is { } endpoint && endpoint.StartsWith("unix://", StringComparison.Ordinal)
            ? endpoint["unix://".Length..]
            : ContainerRuntimeEndpoint;

    /// <summary>Checks the options at start, with a message naming the bad one.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(NodeName);
        ArgumentException.ThrowIfNullOrEmpty(DataDirectory);
        if (NodeStatusUpdateFrequency <= TimeSpan.Zero || LeaseRenewInterval <= TimeSpan.Zero || PodStatusInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("The node status, lease renew and pod status intervals must be positive.");
        }

        if (ContainerRuntimeEndpoint is not null && string.IsNullOrEmpty(ContainerRuntimeSocket))
        {
            throw new ArgumentException($"Container runtime endpoint '{ContainerRuntimeEndpoint}' names no socket.");
        }

        if (KubeletPort is < 0 or > 65535)
        {
            throw new ArgumentException($"--kubelet-port {KubeletPort} is not a port number (0-65535)");
        }

        RateLimit.Validate();
        LogRotation.Validate();
    }
}
