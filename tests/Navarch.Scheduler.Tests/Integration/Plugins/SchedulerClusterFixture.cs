using k8s;
using Navarch.Scheduler.Hosting;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

/// <summary>
/// One API server and one scheduler (identity <c>system:kube-scheduler</c>, no leader election) shared by every
/// plugin scenario: starting them once keeps the suite fast. Scenarios isolate themselves by namespace and by
/// nodes of their own (see <see cref="PluginScenario"/>).
/// </summary>
public sealed class SchedulerClusterFixture : IAsyncLifetime
{
    public ClusterFixture Cluster { get; } = new();

    public IKubernetes Admin => Cluster.Admin;

    public SchedulerHost Scheduler { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        Scheduler = await Cluster.StartSchedulerAsync();

        // Leading means the informers have synced and the scheduling loop runs: pods created from now on are seen.
        await Eventually.TrueAsync(() => Task.FromResult(Scheduler.IsLeader), () => "the scheduler to start leading");
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
