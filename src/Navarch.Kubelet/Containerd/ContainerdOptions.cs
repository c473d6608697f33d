namespace Navarch.Kubelet.Containerd;

/// <summary>How the agent runs its own containerd. Everything containerd keeps lives under <see cref="DataDirectory"/>.</summary>
public sealed record ContainerdOptions
{
    /// <summary>The node's containerd directory (e.g. <c>&lt;data-dir&gt;/containerd</c>); holds config, root, state, socket and log.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The containerd binary; looked up on PATH when not rooted.</summary>
    public string ContainerdPath { get; init; } = "containerd";

    /// <summary>The sandbox ("pause") image; it must already be imported, since there is no registry to pull it from.</summary>
    public string SandboxImage { get; init; } = "navarch.local/pause:3.10";

    /// <summary>Where the CNI plugins are; Debian's containernetworking-plugins installs them here.</summary>
    public string CniBinDirectory { get; init; } = "/usr/lib/cni";

    /// <summary>The snapshotter, or null to use <c>overlayfs</c> when the kernel can mount it here and <c>native</c> otherwise.</summary>
    public string? Snapshotter { get; init; }

    /// <summary>
    /// Whether containerd may only raise containers' oom_score_adj, never lower it below its own (containerd's
    /// <c>restrict_oom_score_adj</c>); null sets it when this process lacks CAP_SYS_RESOURCE, as in rootless or
    /// nested containers, where runc would otherwise fail to start every sandbox.
    /// </summary>
    public bool? RestrictOomScoreAdj { get; init; }

    /// <summary>How long to wait for the socket to answer a CRI <c>Version</c> call after starting.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long containerd gets to exit after SIGTERM before it is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string ConfigPath => Path.Combine(DataDirectory, "config.toml");

    public string RootDirectory => Path.Combine(DataDirectory, "root");

    public string StateDirectory => Path.Combine(DataDirectory, "state");

    public string SocketPath => Path.Combine(DataDirectory, "containerd.sock");

    public string CniConfDirectory => Path.Combine(DataDirectory, "cni", "net.d");

    public string LogPath => Path.Combine(DataDirectory, "containerd.log");

    /// <summary>Checks what containerd itself would reject later with a less clear message.</summary>
    public void Validate()
    {
        if (!Path.IsPathRooted(DataDirectory))
        {
            throw new ArgumentException($"containerd data directory must be an absolute path: {DataDirectory}", nameof(DataDirectory));
        }

        // sockaddr_un.sun_path is 108 bytes including the terminator; containerd also creates "<socket>.ttrpc".
        if (System.Text.Encoding.UTF8.GetByteCount(SocketPath) + ".ttrpc".Length > 107)
        {
            throw new ArgumentException($"containerd socket path is too long for a unix socket: {SocketPath}", nameof(DataDirectory));
        }
    }
}
