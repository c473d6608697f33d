using k8s.Models;
using Navarch.ApiServer.Printing;

namespace Navarch.ApiServer.Tests.Printing;

public sealed class NodeTableConvertorTests
{
    private readonly NodeTableConvertor _table = new();

    private static V1Node Node(string? ready, bool unschedulable = false, Dictionary<string, string>? labels = null)
    {
        var meta = PrintedRow.Meta("node-1", TimeSpan.FromDays(3) + TimeSpan.FromHours(4));
        meta.Labels = labels;
        return new V1Node
        {
            Metadata = meta,
            Spec = new V1NodeSpec { Unschedulable = unschedulable },
            Status = new V1NodeStatus
            {
                Conditions = ready is null
                    ? [new V1NodeCondition { Type = "MemoryPressure", Status = "False" }]
                    : [new V1NodeCondition { Type = "MemoryPressure", Status = "False" }, new V1NodeCondition { Type = "Ready", Status = ready }],
                Addresses = [new V1NodeAddress { Type = "Hostname", Address = "node-1" }, new V1NodeAddress { Type = "InternalIP", Address = "192.168.1.10" }],
                NodeInfo = new V1NodeSystemInfo { KubeletVersion = "v1.32.0", OsImage = "Debian GNU/Linux 13 (trixie)", KernelVersion = "6.12.0", ContainerRuntimeVersion = "containerd://2.0.0" },
            },
        };
    }

    [Fact]
    public void Cells_ReadyNode_ShowsReadyAndVersion()
    {
        var row = PrintedRow.Print(_table, Node("True"));

        Assert.Equal("node-1", row["Name"]);
        Assert.Equal("Ready", row["Status"]);
        Assert.Equal("<none>", row["Roles"]);
        Assert.Equal("3d4h", row["Age"]);
        Assert.Equal("v1.32.0", row["Version"]);
        Assert.Equal("192.168.1.10", row["Internal-IP"]);
        Assert.Equal("<none>", row["External-IP"]);
        Assert.Equal("Debian GNU/Linux 13 (trixie)", row["OS-Image"]);
        Assert.Equal("6.12.0", row["Kernel-Version"]);
        Assert.Equal("containerd://2.0.0", row["Container-Runtime"]);
    }

    [Theory]
    [InlineData("True", false, "Ready")]
    [InlineData("True", true, "Ready,SchedulingDisabled")]
    [InlineData("False", false, "NotReady")]
    [InlineData("Unknown", false, "NotReady")]
    [InlineData(null, false, "Unknown")]
    [InlineData(null, true, "Unknown,SchedulingDisabled")]
    public void Cells_Status_FollowsReadyConditionAndCordon(string? ready, bool unschedulable, string expected) =>
        Assert.Equal(expected, PrintedRow.Print(_table, Node(ready, unschedulable))["Status"]);

    [Fact]
    public void Cells_RoleLabels_AreSortedAndDeduplicated()
    {
        var labels = new Dictionary<string, string>
        {
            ["node-role.kubernetes.io/master"] = "",
            ["node-role.kubernetes.io/control-plane"] = "true",
            ["kubernetes.io/role"] = "master",
            ["node-role.kubernetes.io/"] = "",
            ["kubernetes.io/hostname"] = "node-1",
        };

        Assert.Equal("control-plane,master", PrintedRow.Print(_table, Node("True", labels: labels))["Roles"]);
    }

    [Fact]
    public void Cells_MissingNodeInfo_ShowsUnknownForWideColumns()
    {
        var node = new V1Node { Metadata = PrintedRow.Meta("bare"), Status = new V1NodeStatus() };

        var row = PrintedRow.Print(_table, node);

        Assert.Equal("Unknown", row["Status"]);
        Assert.Equal("", row["Version"]);
        Assert.Equal("<none>", row["Internal-IP"]);
        Assert.Equal("<unknown>", row["OS-Image"]);
        Assert.Equal("<unknown>", row["Kernel-Version"]);
        Assert.Equal("<unknown>", row["Container-Runtime"]);
    }
}
