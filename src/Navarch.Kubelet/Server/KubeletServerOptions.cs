using System.Net;

namespace Navarch.Kubelet.Server;

/// <summary>
/// The kubelet's HTTPS API, as the kubelet's <c>--port</c>, <c>--address</c> and <c>--client-ca-file</c> configure it:
/// TLS with a self-signed serving certificate, and only the API server's client certificate is let in.
/// </summary>
public sealed record KubeletServerOptions
{
    /// <summary>The common name of the API server's client certificate for kubelets, as kubeadm and k3s issue it.</summary>
    public const string DefaultAllowedClientName = "kube-apiserver-kubelet-client";

    /// <summary>The Node's name; it goes into the serving certificate and the <c>/stats/summary</c> and metrics output.</summary>
    public required string NodeName { get; init; }

    /// <summary>Where the serving certificate and key are kept (<c>&lt;agent&gt;/kubelet</c>), so restarts keep them.</summary>
    public required string CertificateDirectory { get; init; }

    /// <summary>The HTTPS port, as <c>--port</c> (10250); 0 picks a free one, reported by <see cref="KubeletServer.Port"/>.</summary>
    public int Port { get; init; } = 10250;

    /// <summary>As <c>--address</c>: every interface by default.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>The cluster CA client certificates must chain to, PEM; one of this or <see cref="ClientCaFile"/> is required.</summary>
    public string? ClientCaPem { get; init; }

    /// <summary>A file holding the cluster CA (PEM), as <c>--client-ca-file</c>; read when the server starts.</summary>
    public string? ClientCaFile { get; init; }

    /// <summary>The only client certificate common name allowed in.</summary>
    public string AllowedClientName { get; init; } = DefaultAllowedClientName;

    /// <summary>Extra addresses for the serving certificate (the node's InternalIP).</summary>
    public IReadOnlyList<IPAddress> ServingAddresses { get; init; } = [];

    /// <summary>The directory the pods' logs, images and containers live under, for the node's <c>fs</c> stats.</summary>
    public string? FilesystemRoot { get; init; }

    /// <summary>How often a followed log is checked for new lines.</summary>
    public TimeSpan LogPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(NodeName);
        ArgumentException.ThrowIfNullOrEmpty(CertificateDirectory);
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"--kubelet-port {Port} is not a port number (0-65535)");
        }

        if (string.IsNullOrEmpty(ClientCaPem) && string.IsNullOrEmpty(ClientCaFile))
        {
            throw new ArgumentException("The kubelet API needs the cluster CA (a client CA PEM or file) to check the API server's client certificate.");
        }

        if (LogPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("The log poll interval must be positive.");
        }
    }
}
