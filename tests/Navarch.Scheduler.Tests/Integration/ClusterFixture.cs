using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Client;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Hosting;
using Navarch.Testing;

namespace Navarch.Scheduler.Tests.Integration;

/// <summary>
/// A real API server on a free port (temporary data dir) with an admin client, and a way to start schedulers
/// against it that log in as <c>system:kube-scheduler</c> with a certificate of their own, as in <c>navarch server</c>.
/// Nodes are plain objects created by the tests: no kubelet is needed to schedule.
/// </summary>
public sealed class ClusterFixture : ApiServerFixture
{
    /// <summary>Starts a scheduler with its own identity; it is stopped with the fixture unless the test stops it first.</summary>
    public async Task<SchedulerHost> StartSchedulerAsync(SchedulerConfiguration? configuration = null, string? identity = null)
    {
        var options = new SchedulerHostOptions
        {
            Configuration = configuration ?? SchedulerConfiguration.Default with
            {
                LeaderElection = new LeaderElectionConfiguration { LeaderElect = false },
            },
            Serving = new() { SecurePort = 0 },
            RateLimit = ClientRateLimit.Unlimited,
            Identity = identity ?? $"test_{Guid.NewGuid():N}",
        };
        return await StartComponentAsync(
            new SchedulerHost(options, ClientFor("system:kube-scheduler"), NullLoggerFactory.Instance, TimeProvider.System));
    }

    /// <summary>Stops and disposes one scheduler (a clean shutdown that releases its lease).</summary>
    public Task StopSchedulerAsync(SchedulerHost host) => StopComponentAsync(host);
}
