using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Tests.Pods;

public sealed class PodStatusBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly PodStatusBuilder _builder = new(new FixedTime(Now));

    [Theory]
    [InlineData("Never", 0, "Succeeded")]
    [InlineData("Never", 1, "Failed")]
    [InlineData("OnFailure", 0, "Succeeded")]
    [InlineData("OnFailure", 1, "Running")]
    [InlineData("Always", 0, "Running")]
    public void Phase_AllContainersExited_FollowsRestartPolicy(string restartPolicy, int exitCode, string phase)
    {
        var pod = TestPods.New("p", restartPolicy, TestPods.Busybox("app", "true"));

        var status = _builder.Build(pod, Sandbox(), [Exited("app", exitCode)], null, "192.0.2.1");

        Assert.Equal(phase, status.Phase);
    }

    [Fact]
    public void Phase_OneRunningOneMissing_PendingWithContainerCreating()
    {
        var pod = TestPods.New("p", "Always", TestPods.Busybox("a", "true"), TestPods.Busybox("b", "true"));

        var status = _builder.Build(pod, Sandbox(), [Running("a")], null, null);

        Assert.Equal("Pending", status.Phase);
        Assert.Equal("ContainerCreating", status.ContainerStatuses[1].State.Waiting?.Reason);
        var ready = Assert.Single(status.Conditions, condition => condition.Type == "Ready");
        Assert.Equal(("False", "ContainersNotReady", "containers with unready status: [b]"), (ready.Status, ready.Reason, ready.Message));
    }

    [Fact]
    public void Status_PodNetwork_ReportsSandboxIPsAndConditionOrder()
    {
        var pod = TestPods.New("p", "Always", TestPods.Busybox("a", "true"));
        pod.Spec.HostNetwork = false;
        var sandbox = Sandbox();
        sandbox.Network = new PodSandboxNetworkStatus { Ip = "10.42.0.7" };
        sandbox.Network.AdditionalIps.Add(new PodIP { Ip = "fd00::7" });

        var status = _builder.Build(pod, sandbox, [Running("a")], null, "192.0.2.1");

        Assert.Equal("Running", status.Phase);
        Assert.Equal("10.42.0.7", status.PodIP);
        Assert.Equal(["10.42.0.7", "fd00::7"], status.PodIPs.Select(ip => ip.Ip));
        Assert.Equal("192.0.2.1", status.HostIP);
        Assert.Equal(
            ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"],
            status.Conditions.Select(condition => condition.Type));
        Assert.All(status.Conditions, condition => Assert.Equal("True", condition.Status));
        var container = Assert.Single(status.ContainerStatuses);
        Assert.Equal("containerd://id-a", container.ContainerID);
        Assert.True(container.Ready);
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 1, DateTimeKind.Utc), container.State.Running?.StartedAt);
    }

    [Fact]
    public void Status_UnchangedCondition_KeepsItsTransitionTime()
    {
        var pod = TestPods.New("p", "Always", TestPods.Busybox("a", "true"));
        var earlier = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        pod.Status = new V1PodStatus
        {
            Conditions = [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = earlier }, new V1PodCondition { Type = "Initialized", Status = "False", LastTransitionTime = earlier }],
        };

        var status = _builder.Build(pod, Sandbox(), [Running("a")], null, null);

        Assert.Equal(earlier, Assert.Single(status.Conditions, condition => condition.Type == "Ready").LastTransitionTime);
        Assert.Equal(Now.UtcDateTime, Assert.Single(status.Conditions, condition => condition.Type == "Initialized").LastTransitionTime);
    }

    [Fact]
    public void QosClass_FollowsRequestsAndLimits()
    {
        var best = TestPods.New("p", "Always", TestPods.Busybox("a", "true"));
        var guaranteed = TestPods.New("p", "Always", TestPods.Busybox("a", "true"));
        guaranteed.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("64Mi") },
        };
        var burstable = TestPods.New("p", "Always", TestPods.Busybox("a", "true"));
        burstable.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") },
        };

        Assert.Equal(("BestEffort", "Guaranteed", "Burstable"), (QosClass.Of(best), QosClass.Of(guaranteed), QosClass.Of(burstable)));
    }

    private static PodSandboxStatus Sandbox() => new() { Id = "sandbox", State = PodSandboxState.SandboxReady, CreatedAt = 1_767_225_600_000_000_000 };

    private static ContainerStatus Running(string name) => new()
    {
        Id = $"id-{name}",
        Metadata = new ContainerMetadata { Name = name },
        State = ContainerState.ContainerRunning,
        CreatedAt = 1_767_225_600_000_000_000,
        StartedAt = 1_767_225_601_500_000_000,
        ImageRef = "sha256:abc",
    };

    private static ContainerStatus Exited(string name, int exitCode)
    {
        var status = Running(name);
        status.State = ContainerState.ContainerExited;
        status.ExitCode = exitCode;
        status.FinishedAt = 1_767_225_602_000_000_000;
        return status;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
