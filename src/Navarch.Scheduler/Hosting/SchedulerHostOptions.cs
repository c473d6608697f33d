using Navarch.Client;
using Navarch.Client.Serving;
using Navarch.Scheduler.Config;

namespace Navarch.Scheduler.Hosting;

/// <summary>Options of the scheduler component, from <c>navarch scheduler</c> flags or <c>navarch server</c>.</summary>
public sealed record SchedulerHostOptions
{
    /// <summary>The KubeSchedulerConfiguration (profiles, plugins, leader election); the defaults when no file is given.</summary>
    public SchedulerConfiguration Configuration { get; init; } = SchedulerConfiguration.Default;

    /// <summary>Health and metrics endpoint; kube-scheduler's secure port is 10259.</summary>
    public ComponentServerOptions Serving { get; init; } = new() { SecurePort = DefaultSecurePort };

    /// <summary>Client limits (--kube-api-qps, --kube-api-burst).</summary>
    public ClientRateLimit RateLimit { get; init; } = DefaultRateLimit;

    /// <summary>
    /// kube-scheduler ships 50 QPS / burst 100, which caps binding at 50 pods a second; Navarch's API server takes
    /// thousands of writes a second, so the scheduler may send 1000 (burst 2000) by default.
    /// </summary>
    public static ClientRateLimit DefaultRateLimit { get; } = new(1000, 2000);

    /// <summary>This instance's name in the leader election Lease (holderIdentity).</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}_{Guid.NewGuid()}";

    public const int DefaultSecurePort = 10259;
}
