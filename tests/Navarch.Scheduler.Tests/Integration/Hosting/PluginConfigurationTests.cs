using k8s;
using k8s.Models;
using Navarch.Scheduler.Config;

namespace Navarch.Scheduler.Tests.Integration.Hosting;

/// <summary>Plugins switched off in the configuration file are off in the running scheduler.</summary>
[Collection(HostingCollection.Name)]
public sealed class PluginConfigurationTests(ClusterFixture cluster)
{
    [Fact]
    public async Task DisabledTaintTolerationFilter_LetsPodLandOnTaintedNode_WhileDefaultProfileKeepsOff()
    {
        var id = Cluster.Unique();
        var ns = await cluster.NamespaceAsync("plugins");
        var pool = new Dictionary<string, string> { ["hosting-test/pool"] = $"plugins-{id}" };
        var tainted = $"tainted-{id}";
        await Cluster.CreateNodeAsync(cluster.Admin, tainted, "4", "8Gi", pool, new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" });
        var configuration = SchedulerConfiguration.Parse("""
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            leaderElection:
              leaderElect: false
            profiles:
            - schedulerName: default-scheduler
            - schedulerName: taint-blind-scheduler
              plugins:
                filter:
                  disabled:
                  - name: TaintToleration
            """);
        var scheduler = await cluster.StartSchedulerAsync(configuration);
        try
        {
            await Cluster.CreatePodAsync(cluster.Admin, ns, "blind", pool, schedulerName: "taint-blind-scheduler");
            await Cluster.CreatePodAsync(cluster.Admin, ns, "careful", pool);

            Assert.Equal(tainted, await Cluster.WaitForNodeAsync(cluster.Admin, ns, "blind"));
            var failed = await Cluster.WaitForEventAsync(cluster.Admin, ns, "careful", "FailedScheduling");
            Assert.Contains("1 node(s) had untolerated taint {dedicated: gpu}", failed.Message, StringComparison.Ordinal);
            Assert.Null((await cluster.Admin.CoreV1.ReadNamespacedPodAsync("careful", ns)).Spec.NodeName);
        }
        finally
        {
            await cluster.StopSchedulerAsync(scheduler);
            await Cluster.DeletePodsAsync(cluster.Admin, ns);
        }
    }
}
