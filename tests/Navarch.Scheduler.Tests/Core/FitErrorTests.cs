using Navarch.Scheduler.Core;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Tests.Core;

public sealed class FitErrorTests
{
    [Fact]
    public void Message_CountsReasonsAcrossNodesSortedAndAppendsPostFilter()
    {
        var diagnosis = new Diagnosis();
        diagnosis.NodeToStatus.Set("a", Status.Unschedulable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"));
        diagnosis.NodeToStatus.Set("b", Status.Unschedulable("Insufficient cpu"));
        diagnosis.NodeToStatus.Set("c", Status.Unschedulable("Insufficient cpu"));
        diagnosis.PostFilterMsg = "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";

        var message = new FitError(3, diagnosis).Message;

        Assert.Equal(
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. "
            + "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            message);
    }

    [Fact]
    public void Message_WithMultipleReasonsOnOneNode_CountsEach()
    {
        var diagnosis = new Diagnosis();
        diagnosis.NodeToStatus.Set("a", Status.Unschedulable("Insufficient cpu", "Insufficient memory"));
        diagnosis.NodeToStatus.Set("b", Status.Unschedulable("Insufficient memory"));

        Assert.Equal("0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.", new FitError(2, diagnosis).Message);
    }

    [Fact]
    public void Message_WithPreFilterRejection_UsesOnlyPreFilterMessage()
    {
        var diagnosis = new Diagnosis { PreFilterMsg = "node(s) didn't match pod topology spread constraints" };
        diagnosis.NodeToStatus.AbsentNodesStatus = Status.UnschedulableAndUnresolvable("ignored");

        Assert.Equal("0/4 nodes are available: node(s) didn't match pod topology spread constraints.", new FitError(4, diagnosis).Message);
    }

    [Fact]
    public void Message_CountsNodesExcludedByPreFilterResultWithAbsentStatus()
    {
        var diagnosis = new Diagnosis();
        diagnosis.NodeToStatus.AbsentNodesStatus = Status.UnschedulableAndUnresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]");
        diagnosis.NodeToStatus.Set("a", Status.Unschedulable("Insufficient cpu"));

        Assert.Equal(
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
            new FitError(3, diagnosis).Message);
    }
}
