using k8s;
using k8s.Models;
using Navarch.Api.Scheduling;

namespace Navarch.Api.Tests.Scheduling;

public sealed class NodeChangesTests
{
    private static V1Node Node() => new()
    {
        Metadata = new V1ObjectMeta { Name = "n", Labels = new Dictionary<string, string> { ["zone"] = "a" } },
        Spec = new V1NodeSpec { Taints = [new V1Taint { Key = "k", Value = "v", Effect = "NoSchedule" }] },
        Status = new V1NodeStatus
        {
            Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1") },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", LastHeartbeatTime = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc) }],
        },
    };

    private static V1Node Copy(V1Node node) => KubernetesJson.Deserialize<V1Node>(KubernetesJson.Serialize(node));

    [Fact]
    public void Between_HeartbeatOnly_IsNone()
    {
        var old = Node();
        var updated = Copy(old);
        updated.Status.Conditions[0].LastHeartbeatTime = new DateTime(2024, 1, 1, 0, 0, 10, DateTimeKind.Utc);
        updated.Status.Allocatable["cpu"] = new ResourceQuantity("1000m");
        updated.Spec.Taints[0].TimeAdded = DateTime.UtcNow;

        Assert.Equal(NodeChange.None, NodeChanges.Between(old, updated));
    }

    [Fact]
    public void Between_EachProperty_IsReportedAlone()
    {
        var old = Node();

        var labels = Copy(old);
        labels.Metadata.Labels["zone"] = "b";
        Assert.Equal(NodeChange.Labels, NodeChanges.Between(old, labels));

        var taints = Copy(old);
        taints.Spec.Taints[0].Effect = "NoExecute";
        Assert.Equal(NodeChange.Taints, NodeChanges.Between(old, taints));

        var cordoned = Copy(old);
        cordoned.Spec.Unschedulable = true;
        Assert.Equal(NodeChange.Unschedulable, NodeChanges.Between(old, cordoned));

        var allocatable = Copy(old);
        allocatable.Status.Allocatable["memory"] = new ResourceQuantity("1Gi");
        Assert.Equal(NodeChange.Allocatable, NodeChanges.Between(old, allocatable));

        var conditions = Copy(old);
        conditions.Status.Conditions[0].Status = "False";
        Assert.Equal(NodeChange.Conditions, NodeChanges.Between(old, conditions));
    }

    [Fact]
    public void Between_NullAndEmptyCollections_AreEqual()
    {
        var old = new V1Node { Metadata = new V1ObjectMeta { Name = "n" } };
        var updated = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "n", Labels = new Dictionary<string, string>() },
            Spec = new V1NodeSpec { Taints = [] },
            Status = new V1NodeStatus { Conditions = [] },
        };

        Assert.Equal(NodeChange.None, NodeChanges.Between(old, updated));
    }

    [Fact]
    public void Between_Interest_LimitsWhatIsCompared()
    {
        var old = Node();
        var updated = Copy(old);
        updated.Metadata.Labels["zone"] = "b";
        updated.Status.Conditions[0].Status = "False";

        Assert.Equal(NodeChange.Labels, NodeChanges.Between(old, updated, NodeChange.Labels | NodeChange.Taints));
        Assert.Equal(NodeChange.None, NodeChanges.Between(old, updated, NodeChange.Taints));
        Assert.Equal(NodeChange.Labels | NodeChange.Conditions, NodeChanges.Between(old, updated));
    }
}
