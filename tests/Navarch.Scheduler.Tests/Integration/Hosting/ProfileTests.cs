using k8s;
using Navarch.Scheduler.Config;

namespace Navarch.Scheduler.Tests.Integration.Hosting;

/// <summary>One scheduler with two profiles from a KubeSchedulerConfiguration file: each pod gets its own profile.</summary>
[Collection(HostingCollection.Name)]
public sealed class ProfileTests(ClusterFixture cluster)
{
    private const string PackingScheduler = "bin-packing-scheduler";

    private static readonly SchedulerConfiguration TwoProfiles = SchedulerConfiguration.Parse($"""
        apiVersion: kubescheduler.config.k8s.io/v1
        kind: KubeSchedulerConfiguration
        leaderElection:
          leaderElect: false
        profiles:
        - schedulerName: default-scheduler
        - schedulerName: {PackingScheduler}
          pluginConfig:
          - name: NodeResourcesFit
            args:
              scoringStrategy:
                type: MostAllocated
        """);

    [Fact]
    public async Task TwoProfiles_PackOrSpreadByProfile_AndReportUnderTheProfileName()
    {
        var id = Cluster.Unique();
        var ns = await cluster.NamespaceAsync("profiles");
        var pool = new Dictionary<string, string> { ["hosting-test/pool"] = $"profiles-{id}" };
        var fuller = $"fuller-{id}";
        var emptier = $"emptier-{id}";
        await Cluster.CreateNodeAsync(cluster.Admin, fuller, "4", "8Gi", pool);
        await Cluster.CreateNodeAsync(cluster.Admin, emptier, "4", "8Gi", pool);

        // Half of "fuller" is taken. Requests keep cpu and memory in step, so that BalancedAllocation scores both nodes
        // alike and only the NodeResourcesFit strategy decides.
        await Cluster.CreatePodAsync(cluster.Admin, ns, "resident", pool, cpu: "2", memory: "4Gi", nodeName: fuller);
        var scheduler = await cluster.StartSchedulerAsync(TwoProfiles);
        try
        {
            await Cluster.CreatePodAsync(cluster.Admin, ns, "packed", pool, cpu: "1", memory: "2Gi", schedulerName: PackingScheduler);
            await Cluster.CreatePodAsync(cluster.Admin, ns, "spread", pool, cpu: "1", memory: "2Gi");

            Assert.Equal(fuller, await Cluster.WaitForNodeAsync(cluster.Admin, ns, "packed"));
            Assert.Equal(emptier, await Cluster.WaitForNodeAsync(cluster.Admin, ns, "spread"));

            var packed = await Cluster.WaitForEventAsync(cluster.Admin, ns, "packed", "Scheduled");
            Assert.Equal(PackingScheduler, packed.Source.Component);
            Assert.Equal($"Successfully assigned {ns}/packed to {fuller}", packed.Message);
            var spread = await Cluster.WaitForEventAsync(cluster.Admin, ns, "spread", "Scheduled");
            Assert.Equal(SchedulerProfile.DefaultSchedulerName, spread.Source.Component);
            Assert.Equal($"Successfully assigned {ns}/spread to {emptier}", spread.Message);
        }
        finally
        {
            await cluster.StopSchedulerAsync(scheduler);
            await Cluster.DeletePodsAsync(cluster.Admin, ns);
        }
    }

    [Fact]
    public async Task PodForAnUnknownSchedulerName_StaysUnboundWithoutEvents()
    {
        var id = Cluster.Unique();
        var ns = await cluster.NamespaceAsync("unknown");
        var pool = new Dictionary<string, string> { ["hosting-test/pool"] = $"unknown-{id}" };
        await Cluster.CreateNodeAsync(cluster.Admin, $"unknown-{id}", "4", "8Gi", pool);
        var scheduler = await cluster.StartSchedulerAsync(TwoProfiles);
        try
        {
            // Created first: once the pod after it is bound and its event written, the scheduler has seen both.
            await Cluster.CreatePodAsync(cluster.Admin, ns, "orphan", pool, schedulerName: "no-such-scheduler");
            await Cluster.CreatePodAsync(cluster.Admin, ns, "witness", pool, schedulerName: PackingScheduler);
            await Cluster.WaitForNodeAsync(cluster.Admin, ns, "witness");
            await Cluster.WaitForEventAsync(cluster.Admin, ns, "witness", "Scheduled");

            var orphan = await cluster.Admin.CoreV1.ReadNamespacedPodAsync("orphan", ns);
            Assert.Null(orphan.Spec.NodeName);
            Assert.DoesNotContain(orphan.Status?.Conditions ?? [], c => c.Type == "PodScheduled");
            Assert.Empty(await Cluster.EventsForAsync(cluster.Admin, ns, "orphan"));
        }
        finally
        {
            await cluster.StopSchedulerAsync(scheduler);
            await Cluster.DeletePodsAsync(cluster.Admin, ns);
        }
    }
}
