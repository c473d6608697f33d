using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Hosting;
using Navarch.Controllers.NodeLifecycle;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.NodeLifecycle;

/// <summary>An API server with the node lifecycle and taint-eviction controllers on short periods (2 s grace, 0.5 s monitor).</summary>
public sealed class NodeLifecycleFixture : IAsyncLifetime
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    public ControllerFixture Cluster { get; } = new();

    public IKubernetes Admin => Cluster.Admin;

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAsync([NodeLifecycleController.Descriptor, TaintEvictionController.Descriptor], new ControllerManagerHostOptions
        {
            LeaderElect = false,
            Controllers = new ControllerManagerOptions { NodeMonitorGracePeriod = Grace, NodeMonitorPeriod = TimeSpan.FromMilliseconds(500) },
        });
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();

    /// <summary>Registers a node as a kubelet does: the Node with Ready=True and a fresh Lease.</summary>
    public async Task<string> CreateHealthyNodeAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await Admin.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name } });
        await HeartbeatAsync(name);
        return name;
    }

    /// <summary>What a kubelet does to stay alive: renew its Lease and post Ready=True with a new heartbeat.</summary>
    public async Task HeartbeatAsync(string name)
    {
        var now = DateTime.UtcNow;
        try
        {
            var lease = await Admin.CoordinationV1.ReadNamespacedLeaseAsync(name, NodeLifecycleController.LeaseNamespace);
            lease.Spec.RenewTime = now;
            await Admin.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, NodeLifecycleController.LeaseNamespace);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            await Admin.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1LeaseSpec { HolderIdentity = name, LeaseDurationSeconds = 40, RenewTime = now },
            }, NodeLifecycleController.LeaseNamespace);
        }

        var stamp = now.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var conditions = new[] { "Ready", "MemoryPressure", "DiskPressure", "PIDPressure" }.Select(type => new Dictionary<string, object?>
        {
            ["type"] = type,
            ["status"] = type == "Ready" ? "True" : "False",
            ["reason"] = type == "Ready" ? "KubeletReady" : "KubeletHasSufficient",
            ["lastHeartbeatTime"] = stamp,
            ["lastTransitionTime"] = stamp,
        }).ToArray();
        await Admin.CoreV1.PatchNodeStatusAsync(
            new V1Patch(JsonSerializer.Serialize(new { status = new { conditions } }), V1Patch.PatchType.MergePatch), name);
    }
}
