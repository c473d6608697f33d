using System.Net;

namespace Navarch.Client.Serving;

/// <summary>
/// Where a component serves <c>/healthz</c>, <c>/livez</c>, <c>/readyz</c> and <c>/metrics</c> over HTTPS, as
/// kube-scheduler (:10259) and kube-controller-manager (:10257) do with <c>--secure-port</c> and <c>--bind-address</c>.
/// </summary>
public sealed record ComponentServerOptions
{
    /// <summary>The HTTPS port; 0 turns the server off, as <c>--secure-port=0</c> does upstream.</summary>
    public int SecurePort { get; init; }

    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    public void Validate()
    {
        if (SecurePort is < 0 or > 65535)
        {
            throw new ArgumentException($"--secure-port {SecurePort} is not a port number (0-65535)");
        }
    }
}
