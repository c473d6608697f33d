using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Client;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Hosting;

namespace Navarch.Scheduler.Tests.Integration.Hosting;

/// <summary>A configuration the scheduler cannot run is refused at start, before anything is scheduled.</summary>
[Collection(HostingCollection.Name)]
public sealed class BadConfigurationTests(ClusterFixture cluster)
{
    [Fact]
    public async Task StartAsync_WithUnknownPlugin_ThrowsSchedulerConfigurationException()
    {
        var configuration = SchedulerConfiguration.Parse("""
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            leaderElection:
              leaderElect: false
            profiles:
            - schedulerName: default-scheduler
              plugins:
                filter:
                  enabled:
                  - name: NoSuchPlugin
            """);

        var error = await StartAndExpectFailureAsync(configuration);
        Assert.Contains(error.Errors, e => e.Contains("plugin \"NoSuchPlugin\" does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_WithInvalidPluginArgs_ThrowsSchedulerConfigurationException()
    {
        var configuration = SchedulerConfiguration.Parse("""
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            leaderElection:
              leaderElect: false
            profiles:
            - schedulerName: default-scheduler
              pluginConfig:
              - name: NodeResourcesFit
                args:
                  scoringStrategy:
                    type: Bogus
            """);

        var error = await StartAndExpectFailureAsync(configuration);
        Assert.Contains(error.Errors, e => e.Contains("scoringStrategy.type: Unsupported value: \"Bogus\"", StringComparison.Ordinal));
    }

    private async Task<SchedulerConfigurationException> StartAndExpectFailureAsync(SchedulerConfiguration configuration)
    {
        var host = new SchedulerHost(
            new SchedulerHostOptions { Configuration = configuration, Serving = new() { SecurePort = 0 }, RateLimit = ClientRateLimit.Unlimited },
            cluster.ClientFor("system:kube-scheduler"),
            NullLoggerFactory.Instance,
            TimeProvider.System);
        try
        {
            var error = await Assert.ThrowsAsync<SchedulerConfigurationException>(() => host.StartAsync(CancellationToken.None));
            Assert.False(host.IsLeader);
            Assert.Null(host.Scheduler);
            return error;
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
