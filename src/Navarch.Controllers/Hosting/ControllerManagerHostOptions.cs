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

    /// <summary>Client limits (--kube-api-qps, --kube-api-burst).</summary>
    public ClientRateLimit RateLimit { get; init; } = DefaultRateLimit;

    /// <summary>
    /// kube-controller-manager ships 20 QPS / burst 30, which makes a 30,000-pod rollout take half an hour of client
    /// throttling alone; Navarch's API server takes thousands of writes a second, so 1000 (burst 2000) by default.
    /// </summary>
    public static ClientRateLimit DefaultRateLimit { get; } = new(1000, 2000);

    public bool LeaderElect { get; init; } = true;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public string LeaseName { get; init; } = "kube-controller-manager";

    /// <summary>This instance's name in the Lease (holderIdentity).</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}_{Guid.NewGuid()}";

    public const int DefaultSecurePort = 10257;
}
