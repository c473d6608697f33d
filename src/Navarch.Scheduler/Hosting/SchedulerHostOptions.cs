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

    /// <summary>Client limits, kube-scheduler's --kube-api-qps 50 and --kube-api-burst 100 by default.</summary>
    public ClientRateLimit RateLimit { get; init; } = ClientRateLimit.Scheduler;

    /// <summary>This instance's name in the leader election Lease (holderIdentity).</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}_{Guid.NewGuid()}";

    public const int DefaultSecurePort = 10259;
}
