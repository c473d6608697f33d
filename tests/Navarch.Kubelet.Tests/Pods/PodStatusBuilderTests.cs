using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Pods.Probes;

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

    [Theory]
    [InlineData("OnFailure")]
    [InlineData("Always")]
    public void Status_ExitedContainerInBackOff_WaitingWithLastStateAndPodRunning(string restartPolicy)
    {
        var pod = TestPods.New("p", restartPolicy, TestPods.Busybox("app", "true"));
        var exited = Exited("app", 1);
        exited.Annotations["io.kubernetes.container.restartCount"] = "3";
        var waiting = new Dictionary<string, ContainerWaitingReason>
        {
            ["app"] = new("CrashLoopBackOff", "back-off 40s restarting failed container=app pod=p_default(uid)"),
        };

        var status = _builder.Build(pod, Sandbox(), [exited], waiting, null);

        Assert.Equal("Running", status.Phase);
        var app = Assert.Single(status.ContainerStatuses);
        Assert.Equal(("CrashLoopBackOff", "back-off 40s restarting failed container=app pod=p_default(uid)"), (app.State.Waiting?.Reason, app.State.Waiting?.Message));
        Assert.Equal((1, "Error", "containerd://id-app"), (app.LastState.Terminated.ExitCode, app.LastState.Terminated.Reason, app.LastState.Terminated.ContainerID));
        Assert.Equal(3, app.RestartCount);
        Assert.False(app.Ready);
    }

    [Fact]
    public void Status_RuntimeReasonOOMKilled_IsTheTerminatedReason()
    {
        var pod = TestPods.New("p", "Never", TestPods.Busybox("app", "true"));
        var exited = Exited("app", 137);
        exited.Reason = "OOMKilled";

        var status = _builder.Build(pod, Sandbox(), [exited], null, null);

        Assert.Equal("Failed", status.Phase);
        Assert.Equal(("OOMKilled", 137), (status.ContainerStatuses[0].State.Terminated.Reason, status.ContainerStatuses[0].State.Terminated.ExitCode));
    }

    [Fact]
    public void Status_RunningButNotReadyByProbe_ContainersReadyFalse()
    {
        var pod = TestPods.New("p", "Always", TestPods.Busybox("a", "true"), TestPods.Busybox("b", "true"));

        var status = _builder.Build(pod, Sandbox(), [Running("a"), Running("b")], null, null, id => new ContainerHealth(Started: true, Ready: id == "id-a"));

        Assert.Equal("Running", status.Phase);
        Assert.Equal([true, false], status.ContainerStatuses.Select(c => c.Ready));
        Assert.All(status.ContainerStatuses, c => Assert.True(c.Started));
        var ready = Assert.Single(status.Conditions, condition => condition.Type == "ContainersReady");
        Assert.Equal(("False", "ContainersNotReady", "containers with unready status: [b]"), (ready.Status, ready.Reason, ready.Message));
    }

    [Fact]
    public void Status_RestartedContainer_LastStateIsPreviousAttempt()
    {
        var pod = TestPods.New("p", "Always", TestPods.Busybox("app", "true"));
        var previous = Exited("app", 2);
        previous.Id = "old";
        var current = Running("app");
        current.CreatedAt = previous.CreatedAt + 1;
        current.Annotations["io.kubernetes.container.restartCount"] = "1";

        var status = _builder.Build(pod, Sandbox(), [previous, current], null, null);

        var app = Assert.Single(status.ContainerStatuses);
        Assert.NotNull(app.State.Running);
        Assert.Equal((2, "containerd://old"), (app.LastState.Terminated.ExitCode, app.LastState.Terminated.ContainerID));
        Assert.Equal(1, app.RestartCount);
    }

    [Fact]
    public void Status_StartedSidecarInitContainer_PodInitializedAndRunning()
    {
        var pod = TestPods.New("p", "Always", TestPods.Busybox("app", "true"));
        var sidecar = TestPods.Busybox("proxy", "true");
        sidecar.RestartPolicy = "Always";
        pod.Spec.InitContainers = [sidecar];

        var status = _builder.Build(pod, Sandbox(), [Running("proxy"), Running("app")], null, null);

        Assert.Equal("Running", status.Phase);
        Assert.Equal("True", Assert.Single(status.Conditions, condition => condition.Type == "Initialized").Status);
        Assert.NotNull(Assert.Single(status.InitContainerStatuses).State.Running);
    }

    [Fact]
    public void Status_ReadinessGateNotTrue_PodNotReadyAndGateConditionKept()
    {
        var pod = TestPods.New("p", "Always", TestPods.Busybox("app", "true"));
        pod.Spec.ReadinessGates = [new V1PodReadinessGate { ConditionType = "example.com/lb" }];
        pod.Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "example.com/lb", Status = "False" }] };

        var status = _builder.Build(pod, Sandbox(), [Running("app")], null, null);

        var ready = Assert.Single(status.Conditions, condition => condition.Type == "Ready");
        Assert.Equal(
            ("False", "ReadinessGatesNotReady", "the status of pod readiness gate \"example.com/lb\" is not \"True\", but False"),
            (ready.Status, ready.Reason, ready.Message));
        Assert.Equal("True", Assert.Single(status.Conditions, condition => condition.Type == "ContainersReady").Status);
        Assert.Single(status.Conditions, condition => condition.Type == "example.com/lb");
    }

    [Fact]
    public void Phase_NeverPodAppDoneSidecarStopped_Succeeded()
    {
        var pod = TestPods.New("p", "Never", TestPods.Busybox("app", "true"));
        var sidecar = TestPods.Busybox("proxy", "true");
        sidecar.RestartPolicy = "Always";
        pod.Spec.InitContainers = [sidecar];

        var status = _builder.Build(pod, Sandbox(), [Exited("proxy", 137), Exited("app", 0)], null, null);

        Assert.Equal("Succeeded", status.Phase);
        Assert.Equal("True", Assert.Single(status.Conditions, condition => condition.Type == "Initialized").Status);
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
