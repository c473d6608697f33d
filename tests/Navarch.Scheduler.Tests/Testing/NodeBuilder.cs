using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Tests.Testing;

/// <summary>Builds nodes (and NodeInfos with pods on them) for plugin tests.</summary>
internal sealed class NodeBuilder
{
    private readonly V1Node _node;
    private readonly List<V1Pod> _pods = [];

    private NodeBuilder(string name)
    {
        _node = new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Uid = $"uid-node-{name}",
                Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name },
            },
            Spec = new V1NodeSpec(),
            Status = new V1NodeStatus
            {
                Capacity = new Dictionary<string, ResourceQuantity>(),
                Allocatable = new Dictionary<string, ResourceQuantity>
                {
                    ["cpu"] = new("4"),
                    ["memory"] = new("8Gi"),
                    ["pods"] = new("110"),
                    ["ephemeral-storage"] = new("100Gi"),
                },
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
            },
        };
    }

    public static NodeBuilder Node(string name) => new(name);

    public NodeBuilder Label(string key, string value)
    {
        _node.Metadata.Labels[key] = value;
        return this;
    }

    public NodeBuilder Allocatable(params (string Name, string Quantity)[] values)
    {
        _node.Status.Allocatable.Clear();
        foreach (var (name, quantity) in values) _node.Status.Allocatable[name] = new ResourceQuantity(quantity);
        return this;
    }

    public NodeBuilder Taint(string key, string? value, string effect)
    {
        (_node.Spec.Taints ??= []).Add(new V1Taint { Key = key, Value = value, Effect = effect });
        return this;
    }

    public NodeBuilder Unschedulable()
    {
        _node.Spec.Unschedulable = true;
        return this;
    }

    /// <summary>Places an existing pod on the node (sets its spec.nodeName).</summary>
    public NodeBuilder WithPod(V1Pod pod)
    {
        pod.Spec.NodeName = _node.Metadata.Name;
        _pods.Add(pod);
        return this;
    }

    public V1Node Build() => _node;

    public NodeInfo Info()
    {
        var info = new NodeInfo(_node);
        foreach (var pod in _pods) info.AddPod(new PodInfo(pod));
        return info;
    }
}
