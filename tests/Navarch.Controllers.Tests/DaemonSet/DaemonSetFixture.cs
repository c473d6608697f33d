using k8s;
using k8s.Models;
using Navarch.Controllers.DaemonSet;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.DaemonSet;

/// <summary>An API server with the DaemonSet controller running, and helpers for nodes and daemon pods.</summary>
public sealed class DaemonSetFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public IKubernetes Admin => Cluster.Admin;

    public FakeKubelet Kubelet { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        Kubelet = new FakeKubelet(Cluster.Admin);
        await Cluster.StartAsync([DaemonSetController.Descriptor]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();

    /// <summary>A Ready node with allocatable resources, the given labels and taints.</summary>
    public Task<V1Node> NodeAsync(string name, Dictionary<string, string> labels, params V1Taint[] taints) =>
        Admin.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
            Spec = new V1NodeSpec { Taints = taints.Length == 0 ? null : [.. taints] },
            Status = new V1NodeStatus
            {
                Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi"), ["pods"] = new("110") },
                Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi"), ["pods"] = new("110") },
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
            },
        });

    public static V1DaemonSet DaemonSet(string name, Dictionary<string, string> nodeSelector, string image = "registry.k8s.io/pause:3.10") => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec
                {
                    NodeSelector = nodeSelector,
                    Containers = [new V1Container { Name = "c", Image = image }],
                },
            },
        },
    };

    /// <summary>The pods in <paramref name="ns"/> that are not being deleted.</summary>
    public async Task<List<V1Pod>> ActivePodsAsync(string ns) =>
        (await Admin.CoreV1.ListNamespacedPodAsync(ns)).Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();

    /// <summary>Plays the scheduler and kubelet: binds every unbound pod to its target node and makes it Running and Ready.</summary>
    public async Task RunAllAsync(string ns)
    {
        foreach (var pod in await ActivePodsAsync(ns))
        {
            if (pod.Status?.Phase == "Running") continue;
            await Kubelet.RunAsync(pod, ready: true, nodeName: DaemonPlacement.TargetNodeName(pod));
        }
    }
}
