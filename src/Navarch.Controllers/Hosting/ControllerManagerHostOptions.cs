using Navarch.Client;
using Navarch.Client.Serving;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Hosting;

/// <summary>Options of the controller manager component, from <c>navarch controller-manager</c> flags or <c>navarch server</c>.</summary>
public sealed record ControllerManagerHostOptions
{
    public ControllerManagerOptions Controllers { get; init; } = new();

    /// <summary>Health and metrics endpoint; kube-controller-manager's secure port is 10257.</summary>
    public ComponentServerOptions Serving { get; init; } = new() { SecurePort = DefaultSecurePort };

    /// <summary>Client limits, kube-controller-manager's --kube-api-qps 20 and --kube-api-burst 30 by default.</summary>
    public ClientRateLimit RateLimit { get; init; } = ClientRateLimit.ControllerManager;

    public bool LeaderElect { get; init; } = true;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public string LeaseName { get; init; } = "kube-controller-manager";

    /// <summary>This instance's name in the Lease (holderIdentity).</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}_{Guid.NewGuid()}";

    public const int DefaultSecurePort = 10257;
}
