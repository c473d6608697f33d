using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Tests.Pods;

/// <summary>Pods run through <see cref="PodRunner"/> on a real containerd, and their status as the kubelet would report it.</summary>
[Collection(ContainerdCollection.Name)]
public sealed class PodRunnerTests(ContainerdFixture fixture)
{
    private const string HostIP = "192.0.2.10";
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(25);

    private readonly PodSandboxConfigBuilder _sandboxBuilder = new(Path.Combine(fixture.Directory, "logs"));

    [Fact(Timeout = 30_000)]
    public async Task Run_ContainerExitingZero_PodSucceededAndLogWritten()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("hello", "Never", TestPods.Busybox("app", "sh", "-c", "echo hello-from-pod"));
        await using var runner = NewRunner(pod);
        try
        {
            var status = await WaitForPhaseAsync(runner, PodStatusBuilder.PhaseSucceeded, timeout.Token);
            var container = Assert.Single(status.ContainerStatuses);
            Assert.Equal("app", container.Name);
            Assert.NotNull(container.State.Terminated);
            Assert.Equal(0, container.State.Terminated.ExitCode);
            Assert.Equal("Completed", container.State.Terminated.Reason);
            Assert.StartsWith("containerd://", container.ContainerID, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(container.ImageID));
            Assert.False(container.Ready);
            Assert.Equal(0, container.RestartCount);
            Assert.Equal(HostIP, status.PodIP);
            Assert.Equal(HostIP, status.HostIP);
            Assert.Equal("BestEffort", status.QosClass);
            var ready = Assert.Single(status.Conditions, condition => condition.Type == "Ready");
            Assert.Equal(("False", "PodCompleted"), (ready.Status, ready.Reason));

            var log = Path.Combine(fixture.Directory, "logs", $"default_hello_{pod.Metadata.Uid}", "app", "0.log");
            var line = Assert.Single(await File.ReadAllLinesAsync(log, timeout.Token));
            Assert.EndsWith(" stdout F hello-from-pod", line, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_InitContainers_RunInOrderToCompletionBeforeAppContainer()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("inits", "Never", TestPods.Busybox("app", "sh", "-c", "echo app"));
        pod.Spec.InitContainers = [TestPods.Busybox("first", "sh", "-c", "echo first"), TestPods.Busybox("second", "true")];
        await using var runner = NewRunner(pod);
        try
        {
            var status = await WaitForPhaseAsync(runner, PodStatusBuilder.PhaseSucceeded, timeout.Token);
            Assert.Equal(["first", "second"], status.InitContainerStatuses.Select(init => init.Name));
            Assert.All(status.InitContainerStatuses, init => Assert.Equal((0, true), (init.State.Terminated?.ExitCode, init.Ready)));
            Assert.Equal("True", Assert.Single(status.Conditions, condition => condition.Type == "Initialized").Status);
            var runtime = await CriStatusesAsync(pod, timeout.Token);
            Assert.True(runtime["first"].FinishedAt <= runtime["second"].StartedAt, "second started before first finished");
            Assert.True(runtime["second"].FinishedAt <= runtime["app"].StartedAt, "app started before second finished");
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_FailingInitContainerWithRestartNever_PodFailedAndAppNotStarted()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("init-fails", "Never", TestPods.Busybox("app", "true"));
        pod.Spec.InitContainers = [TestPods.Busybox("broken", "sh", "-c", "exit 4")];
        await using var runner = NewRunner(pod);
        try
        {
            var status = await WaitForPhaseAsync(runner, PodStatusBuilder.PhaseFailed, timeout.Token);
            Assert.Equal(4, Assert.Single(status.InitContainerStatuses).State.Terminated?.ExitCode);
            Assert.Equal("PodInitializing", Assert.Single(status.ContainerStatuses).State.Waiting?.Reason);
            var initialized = Assert.Single(status.Conditions, condition => condition.Type == "Initialized");
            Assert.Equal(("False", "ContainersNotInitialized", "containers with incomplete status: [broken]"), (initialized.Status, initialized.Reason, initialized.Message));
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_FailingContainerWithRestartNever_PodFailed()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("failing", "Never", TestPods.Busybox("app", "sh", "-c", "exit 3"));
        await using var runner = NewRunner(pod);
        try
        {
            var status = await WaitForPhaseAsync(runner, PodStatusBuilder.PhaseFailed, timeout.Token);
            var terminated = Assert.Single(status.ContainerStatuses).State.Terminated;
            Assert.NotNull(terminated);
            Assert.Equal((3, "Error"), (terminated.ExitCode, terminated.Reason));
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Stop_RunningPod_RemovesContainersAndSandbox()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("long", "Always", TestPods.Busybox("app", "sleep", "3600"));
        await using var runner = NewRunner(pod);
        var status = await WaitForPhaseAsync(runner, PodStatusBuilder.PhaseRunning, timeout.Token);
        var container = Assert.Single(status.ContainerStatuses);
        Assert.NotNull(container.State.Running);
        Assert.True(container.Ready);
        Assert.True(container.Started);
        Assert.Equal("True", Assert.Single(status.Conditions, condition => condition.Type == "Ready").Status);
        Assert.Equal("True", Assert.Single(status.Conditions, condition => condition.Type == "ContainersReady").Status);
        Assert.NotNull(status.StartTime);

        // sleep as PID 1 ignores SIGTERM, so the short grace period ends in SIGKILL.
        await runner.StopAsync(TimeSpan.FromSeconds(1), timeout.Token);

        var byPod = new ContainerFilter();
        byPod.LabelSelector[KubernetesLabels.PodUid] = pod.Metadata.Uid;
        Assert.Empty(await fixture.Cri.ListContainersAsync(byPod, timeout.Token));
        Assert.DoesNotContain(await fixture.Cri.ListPodSandboxAsync(null, timeout.Token), sandbox => sandbox.Id == runner.SandboxId);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_EnvFromValueAndFieldRef_VisibleInContainer()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var app = TestPods.Busybox("app", "sh", "-c");
        app.Args = ["echo $FOO $POD_NAME $POD_NAMESPACE $POD_UID $NODE $(FOO)-expanded"];
        app.Env =
        [
            new V1EnvVar { Name = "FOO", Value = "bar" },
            new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
            new V1EnvVar { Name = "POD_NAMESPACE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
            new V1EnvVar { Name = "POD_UID", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.uid" } } },
            new V1EnvVar { Name = "NODE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
        ];
        var pod = TestPods.New("envpod", "Never", app);
        await using var runner = NewRunner(pod);
        try
        {
            await WaitForPhaseAsync(runner, PodStatusBuilder.PhaseSucceeded, timeout.Token);
            var log = Path.Combine(_sandboxBuilder.LogDirectory(pod), "app", "0.log");
            var line = Assert.Single(await File.ReadAllLinesAsync(log, timeout.Token));
            Assert.EndsWith($" stdout F bar envpod default {pod.Metadata.Uid} node-1 bar-expanded", line, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_ImageNotOnNodeWithPullNever_ContainerWaitingErrImageNeverPullAndPodPending()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("noimage", "Always", new V1Container { Name = "app", Image = "docker.io/library/not-imported:1.0", ImagePullPolicy = "Never" });
        await using var runner = NewRunner(pod);
        try
        {
            var status = await runner.SyncAsync(pod, timeout.Token);
            Assert.Equal(PodStatusBuilder.PhasePending, status.Phase);
            var waiting = Assert.Single(status.ContainerStatuses).State.Waiting;
            Assert.NotNull(waiting);
            Assert.Equal("ErrImageNeverPull", waiting.Reason);
            Assert.Contains("docker.io/library/not-imported:1.0", waiting.Message, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_ImageOfRunningContainerChanged_ContainerReplacedEvenWithRestartNever()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("set-image", "Never", TestPods.Busybox("app", "sleep", "3600"));
        pod.Spec.TerminationGracePeriodSeconds = 1;
        await using var runner = NewRunner(pod);
        try
        {
            var before = Assert.Single((await WaitForPhaseAsync(runner, PodStatusBuilder.PhaseRunning, timeout.Token)).ContainerStatuses);

            // As the informer hands it over after `kubectl set image`: a new pod object, same UID, another image.
            var updated = Updated(pod, changed => changed.Spec.Containers[0].Image = "docker.io/library/busybox:latest");
            await runner.SyncAsync(updated, timeout.Token);

            var after = Assert.Single((await SyncUntilAsync(
                runner,
                status => status.ContainerStatuses?.SingleOrDefault() is { State.Running: not null } container && container.ContainerID != before.ContainerID,
                timeout.Token)).ContainerStatuses);
            Assert.Equal(1, after.RestartCount);
            Assert.Equal("docker.io/library/busybox:latest", after.Image);
            Assert.NotNull(after.LastState?.Terminated);
            Assert.Single(await fixture.Cri.ListContainersAsync(PodContainers(pod), timeout.Token), container => container.State == ContainerState.ContainerRunning);

            // The same spec again changes nothing.
            var again = await runner.SyncAsync(updated, timeout.Token);
            Assert.Equal(after.ContainerID, Assert.Single(again.ContainerStatuses).ContainerID);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_SeccompProfiles_RuntimeDefaultFromPodLocalhostAndUnconfinedApplied()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        // A Localhost profile that lets everything through but mkdir.
        var root = Directory.CreateDirectory(Path.Combine(fixture.Directory, "seccomp-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        await File.WriteAllTextAsync(
            Path.Combine(root, "no-mkdir.json"),
            """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}""",
            timeout.Token);
        var report = "grep Seccomp: /proc/self/status; mkdir /tmp/made 2>/dev/null && echo mkdir-ok || echo mkdir-denied";
        var inherits = TestPods.Busybox("inherits", "sh", "-c", report);
        var local = TestPods.Busybox("local", "sh", "-c", report);
        local.SecurityContext = new V1SecurityContext { SeccompProfile = new V1SeccompProfile { Type = "Localhost", LocalhostProfile = "no-mkdir.json" } };
        var unconfined = TestPods.Busybox("unconfined", "sh", "-c", report);
        unconfined.SecurityContext = new V1SecurityContext { SeccompProfile = new V1SeccompProfile { Type = "Unconfined" } };
        var pod = TestPods.New("seccomp", "Never", inherits, local, unconfined);
        pod.Spec.SecurityContext = new V1PodSecurityContext { SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } };
        await using var runner = new PodRunner(fixture.Cri, pod, _sandboxBuilder, new PodRunnerOptions { HostIP = HostIP, SeccompProfileRoot = root });
        try
        {
            await WaitForPhaseAsync(runner, PodStatusBuilder.PhaseSucceeded, timeout.Token);
            async Task<string> OutputAsync(string container) => string.Join(
                "|", (await File.ReadAllLinesAsync(Path.Combine(_sandboxBuilder.LogDirectory(pod), container, "0.log"), timeout.Token))
                    .Select(line => line.Split(' ', 4)[3]));

            // Mode 2 is a seccomp filter; mode 0 none.
            Assert.Equal("Seccomp:\t2|mkdir-ok", await OutputAsync("inherits"));
            Assert.Equal("Seccomp:\t2|mkdir-denied", await OutputAsync("local"));
            Assert.Equal("Seccomp:\t0|mkdir-ok", await OutputAsync("unconfined"));
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_EphemeralContainerWithTarget_RunsOnceInTheTargetsPidNamespace()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("debugged", "Always", TestPods.Busybox("app", "sleep", "3600"));
        pod.Spec.TerminationGracePeriodSeconds = 1;
        await using var runner = NewRunner(pod);
        try
        {
            await WaitForPhaseAsync(runner, PodStatusBuilder.PhaseRunning, timeout.Token);

            // As `kubectl debug --target=app`: a new pod object with the ephemeral container added.
            var debugged = Updated(pod, changed => changed.Spec.EphemeralContainers =
            [
                new V1EphemeralContainer
                {
                    Name = "debugger", Image = "busybox", ImagePullPolicy = "IfNotPresent", TargetContainerName = "app",
                    Command = ["sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo"],
                },
            ]);
            await runner.SyncAsync(debugged, timeout.Token);
            var status = await SyncUntilAsync(runner, s => s.EphemeralContainerStatuses?.SingleOrDefault()?.State?.Terminated is not null, timeout.Token);

            var ephemeral = Assert.Single(status.EphemeralContainerStatuses);
            Assert.Equal(("debugger", 0, false), (ephemeral.Name, ephemeral.State.Terminated.ExitCode, ephemeral.Ready));
            // PID 1 in its PID namespace is the target's process.
            var log = Path.Combine(_sandboxBuilder.LogDirectory(pod), "debugger", "0.log");
            Assert.EndsWith(" stdout F sleep 3600 ", Assert.Single(await File.ReadAllLinesAsync(log, timeout.Token)), StringComparison.Ordinal);
            Assert.Equal(PodStatusBuilder.PhaseRunning, status.Phase);
            Assert.Equal("True", Assert.Single(status.Conditions, condition => condition.Type == "Ready").Status);

            // Never restarted, whatever the pod's restart policy.
            for (var i = 0; i < 3; i++)
            {
                status = await runner.SyncAsync(debugged, timeout.Token);
            }

            Assert.Equal(0, Assert.Single(status.EphemeralContainerStatuses).RestartCount);
            Assert.Single(await CriStatusesAsync(debugged, timeout.Token), container => container.Key == "debugger");
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact]
    public void SeccompProfiles_LocalhostOutsideTheRoot_Refused()
    {
        var escape = new V1SeccompProfile { Type = "Localhost", LocalhostProfile = "../../etc/profile.json" };
        Assert.Throws<ContainerConfigException>(() => SeccompProfiles.For(escape, null, "/var/lib/navarch/agent/kubelet/seccomp"));
        Assert.Throws<ContainerConfigException>(() => SeccompProfiles.For(new V1SeccompProfile { Type = "Localhost" }, null, "/x"));
    }

    private PodRunner NewRunner(V1Pod pod) =>
        new(fixture.Cri, pod, _sandboxBuilder, new PodRunnerOptions { HostIP = HostIP });

    [Fact(Timeout = 30_000)]
    public async Task Sync_SecondRunnerForRunningPod_AdoptsContainersWithoutRecreating()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("adopt", "Always", TestPods.Busybox("app", "sleep", "3600"));
        await using var first = NewRunner(pod);
        try
        {
            var running = await WaitForPhaseAsync(first, PodStatusBuilder.PhaseRunning, timeout.Token);

            // A restarted kubelet: a new runner with no memory of the first.
            await using var second = NewRunner(pod);
            var adopted = await second.SyncAsync(pod, timeout.Token);

            var before = Assert.Single(running.ContainerStatuses);
            var after = Assert.Single(adopted.ContainerStatuses);
            Assert.Equal(before.ContainerID, after.ContainerID);
            Assert.Equal(0, after.RestartCount);
            Assert.Equal(first.SandboxId, second.SandboxId);
            Assert.Single(await fixture.Cri.ListContainersAsync(PodContainers(pod), timeout.Token));
        }
        finally
        {
            await StopAsync(first);
        }
    }

    /// <summary>The pod as the informer hands over an update: a new object (same UID) with <paramref name="change"/> made.</summary>
    private static V1Pod Updated(V1Pod pod, Action<V1Pod> change)
    {
        var copy = k8s.KubernetesJson.Deserialize<V1Pod>(k8s.KubernetesJson.Serialize(pod));
        change(copy);
        return copy;
    }

    private static ContainerFilter PodContainers(V1Pod pod)
    {
        var filter = new ContainerFilter();
        filter.LabelSelector[KubernetesLabels.PodUid] = pod.Metadata.Uid;
        return filter;
    }

    private static async Task StopAsync(PodRunner runner)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await runner.StopAsync(TimeSpan.FromSeconds(1), timeout.Token);
    }

    /// <summary>Polls the pod's status until it reaches the phase; fails fast if it reaches another terminal phase.</summary>
    private static Task<V1PodStatus> WaitForPhaseAsync(PodRunner runner, string phase, CancellationToken cancellationToken) =>
        SyncUntilAsync(
            runner,
            status =>
            {
                Assert.False(
                    status.Phase != phase && status.Phase is PodStatusBuilder.PhaseSucceeded or PodStatusBuilder.PhaseFailed,
                    $"pod reached {status.Phase} while waiting for {phase}");
                return status.Phase == phase;
            },
            cancellationToken);

    /// <summary>Drives the runner as the pod worker does (sync, wait at most 100 ms or its requeue hint) until the status satisfies <paramref name="done"/>.</summary>
    internal static async Task<V1PodStatus> SyncUntilAsync(PodRunner runner, Func<V1PodStatus, bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = await runner.SyncAsync(runner.Pod, cancellationToken);
            if (done(status))
            {
                return status;
            }

            var wait = runner.RequeueAfter is { } hint && hint < TimeSpan.FromMilliseconds(100) ? hint : TimeSpan.FromMilliseconds(100);
            await Task.Delay(wait < TimeSpan.FromMilliseconds(20) ? TimeSpan.FromMilliseconds(20) : wait, cancellationToken);
        }
    }

    private async Task<Dictionary<string, ContainerStatus>> CriStatusesAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var filter = new ContainerFilter();
        filter.LabelSelector[KubernetesLabels.PodUid] = pod.Metadata.Uid;
        var result = new Dictionary<string, ContainerStatus>();
        foreach (var container in await fixture.Cri.ListContainersAsync(filter, cancellationToken))
        {
            var status = (await fixture.Cri.ContainerStatusAsync(container.Id, verbose: false, cancellationToken)).Status;
            result[status.Metadata.Name] = status;
        }

        return result;
    }
}
