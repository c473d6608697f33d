using k8s;
using k8s.Models;
using Navarch.Controllers.StatefulSet;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.StatefulSet;

/// <summary>An API server with the StatefulSet controller running and one node the fake kubelet binds pods to.</summary>
public sealed class StatefulSetFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public IKubernetes Admin => Cluster.Admin;

    public FakeKubelet Kubelet { get; private set; } = null!;

    public string NodeName { get; } = "sts-node-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        Kubelet = new FakeKubelet(Cluster.Admin);
        await Admin.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = NodeName },
            Status = new V1NodeStatus
            {
                Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi"), ["pods"] = new("110") },
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
            },
        });
        await Cluster.StartAsync([StatefulSetController.Descriptor]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();

    public static V1StatefulSet StatefulSet(string name, int replicas, string policy = "OrderedReady", string image = "registry.k8s.io/pause:3.10") => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1StatefulSetSpec
        {
            Replicas = replicas,
            ServiceName = name + "-svc",
            PodManagementPolicy = policy,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = image }] },
            },
        },
    };

    public async Task<Dictionary<string, V1Pod>> PodsAsync(string ns) =>
        (await Admin.CoreV1.ListNamespacedPodAsync(ns)).Items.ToDictionary(p => p.Metadata.Name, StringComparer.Ordinal);

    /// <summary>Plays scheduler and kubelet for every pod not yet running: binds it to the node and makes it Running and Ready.</summary>
    public async Task RunAllAsync(string ns)
    {
        foreach (var pod in (await PodsAsync(ns)).Values)
        {
            if (pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase == "Running") continue;
            await Kubelet.RunAsync(pod, ready: true, nodeName: NodeName);
        }
    }
}
