using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Node;

namespace Navarch.Kubelet.Tests.Node;

public sealed class RuntimeReadinessTests
{
    [Fact]
    public void Describe_BothConditionsTrue_Null()
    {
        Assert.Null(RuntimeReadiness.Describe(Status((RuntimeReadiness.RuntimeReady, true, "", ""), (RuntimeReadiness.NetworkReady, true, "", ""))));
    }

    [Fact]
    public void Describe_NetworkNotReady_KubeletWording()
    {
        var message = RuntimeReadiness.Describe(Status(
            (RuntimeReadiness.RuntimeReady, true, "", ""),
            (RuntimeReadiness.NetworkReady, false, "NetworkPluginNotReady", "Network plugin returns error: cni plugin not initialized")));
        Assert.Equal(
            "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
            message);
    }

    [Fact]
    public void Describe_BothFalse_Aggregated()
    {
        var message = RuntimeReadiness.Describe(Status((RuntimeReadiness.RuntimeReady, false, "Down", "gone"), (RuntimeReadiness.NetworkReady, false, "N", "m")));
        Assert.Equal(
            "[container runtime not ready: RuntimeReady=false reason:Down message:gone, container runtime network not ready: NetworkReady=false reason:N message:m]",
            message);
    }

    [Fact]
    public void Describe_ConditionMissing_NotReady()
    {
        Assert.Equal("container runtime network not ready: NetworkReady missing", RuntimeReadiness.Describe(Status((RuntimeReadiness.RuntimeReady, true, "", ""))));
    }

    private static StatusResponse Status(params (string Type, bool Status, string Reason, string Message)[] conditions)
    {
        var status = new RuntimeStatus();
        foreach (var (type, ok, reason, message) in conditions)
        {
            status.Conditions.Add(new RuntimeCondition { Type = type, Status = ok, Reason = reason, Message = message });
        }

        return new StatusResponse { Status = status };
    }
}
