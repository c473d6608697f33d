using k8s;
using System.Diagnostics;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Hosting;

namespace Navarch.Scheduler.Tests.Integration.Hosting;

/// <summary>Two schedulers campaign for one Lease: one schedules, and the other takes over when it stops.</summary>
[Collection(HostingCollection.Name)]
public sealed class LeaderElectionTests(ClusterFixture cluster)
{
    [Fact]
    public async Task StoppingTheLeader_HandsOverToTheStandby_WhichSchedulesNewPods()
    {
        var id = Cluster.Unique();
        var ns = await cluster.NamespaceAsync("le");
        var pool = new Dictionary<string, string> { ["hosting-test/pool"] = $"le-{id}" };
        var node = $"le-node-{id}";
        await Cluster.CreateNodeAsync(cluster.Admin, node, "4", "8Gi", pool);

        // Short durations so that a hand-over takes a second, not kube-scheduler's 15 s; a lease of its own per test.
        var configuration = SchedulerConfiguration.Default with
        {
            LeaderElection = new LeaderElectionConfiguration
            {
                LeaderElect = true,
                LeaseDuration = TimeSpan.FromSeconds(2),
                RenewDeadline = TimeSpan.FromSeconds(1.5),
                RetryPeriod = TimeSpan.FromSeconds(0.3),
                ResourceName = $"scheduler-{id}",
            },
        };
        var first = await cluster.StartSchedulerAsync(configuration, $"first_{id}");
        var second = await cluster.StartSchedulerAsync(configuration, $"second_{id}");
        var running = new List<SchedulerHost> { first, second };
        try
        {
            var leader = await Cluster.UntilAsync(
                () => Task.FromResult(running.FirstOrDefault(s => s.IsLeader)),
                s => s is not null,
                "one scheduler to lead",
                _ => "no leader");
            Assert.NotNull(leader);
            var standby = leader == first ? second : first;
            Assert.False(standby.IsLeader);
            Assert.Null(standby.Scheduler);

            var lease = await cluster.Admin.CoordinationV1.ReadNamespacedLeaseAsync($"scheduler-{id}", "kube-system");
            var leaderIdentity = leader == first ? $"first_{id}" : $"second_{id}";
            Assert.Equal(leaderIdentity, lease.Spec.HolderIdentity);
            var transitions = lease.Spec.LeaseTransitions ?? 0;

            await Cluster.CreatePodAsync(cluster.Admin, ns, "before", pool);
            Assert.Equal(node, await Cluster.WaitForNodeAsync(cluster.Admin, ns, "before"));
            Assert.False(standby.IsLeader);

            var handOver = Stopwatch.StartNew();
            running.Remove(leader);
            await cluster.StopSchedulerAsync(leader);
            await Cluster.UntilAsync(() => Task.FromResult(standby.IsLeader), leads => leads, "the standby to lead", _ => "still standing by");

            // The leader released the lease on a clean stop, so the standby need not wait out the lease duration.
            Assert.True(handOver.Elapsed < configuration.LeaderElection.LeaseDuration, $"hand-over took {handOver.Elapsed}");

            await Cluster.CreatePodAsync(cluster.Admin, ns, "after", pool);
            Assert.Equal(node, await Cluster.WaitForNodeAsync(cluster.Admin, ns, "after"));

            lease = await cluster.Admin.CoordinationV1.ReadNamespacedLeaseAsync($"scheduler-{id}", "kube-system");
            Assert.Equal(standby == first ? $"first_{id}" : $"second_{id}", lease.Spec.HolderIdentity);
            Assert.Equal(transitions + 1, lease.Spec.LeaseTransitions);
        }
        finally
        {
            foreach (var host in running)
            {
                await cluster.StopSchedulerAsync(host);
            }

            await Cluster.DeletePodsAsync(cluster.Admin, ns);
        }
    }
}
