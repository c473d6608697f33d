namespace Navarch.Kubelet.Pods;

/// <summary>Settings of a <see cref="PodRunner"/>.</summary>
public sealed record PodRunnerOptions
{
    /// <summary>The CRI runtime handler for the sandbox; empty means the runtime's default.</summary>
    public string RuntimeHandler { get; init; } = string.Empty;

    /// <summary>The node's IP, reported as <c>hostIP</c> and as a host-network pod's <c>podIP</c>; probes of host-network pods dial it.</summary>
    public string? HostIP { get; init; }

    /// <summary>Where Localhost seccomp profiles are found, as the kubelet's <c>&lt;root-dir&gt;/seccomp</c>.</summary>
    public string SeccompProfileRoot { get; init; } = "/var/lib/kubelet/seccomp";

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
