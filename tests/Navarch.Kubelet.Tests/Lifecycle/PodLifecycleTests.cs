using k8s.Models;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Pods.Lifecycle;
using Navarch.Kubelet.Tests.Pods;

namespace Navarch.Kubelet.Tests.Lifecycle;

/// <summary>
/// The pod sync loop on a real containerd: restarts and back-off, probes, hooks, OOM. Pods are host-network and
/// probes dial 127.0.0.1 (the runner's host IP here), so each test that serves uses its own port.
/// </summary>
[Collection(ContainerdCollection.Name)]
public sealed class PodLifecycleTests(ContainerdFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(27);

    private readonly PodSandboxConfigBuilder _sandboxBuilder = new(Path.Combine(fixture.Directory, "logs"));
    private readonly RecordingEvents _events = new();
    private readonly RuntimeRelist _relist = new(fixture.Cri, TimeSpan.FromMilliseconds(500), TimeProvider.System);

    [Fact(Timeout = 30_000)]
    public async Task Sync_OnFailureCrashingContainer_RestartsWithGrowingCrashLoopBackOff()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("crash", "OnFailure", TestPods.Busybox("app", "sh", "-c", "echo crashing; exit 2"));
        await using var runner = NewRunner(pod);
        try
        {
            var prefix10 = $"back-off 10s restarting failed container=app pod=crash_default({pod.Metadata.Uid})";
            var first = await PodRunnerTests.SyncUntilAsync(runner, status => Waiting(status)?.Message == prefix10, timeout.Token);
            var app = Assert.Single(first.ContainerStatuses);
            Assert.Equal("CrashLoopBackOff", app.State.Waiting.Reason);
            Assert.Equal(1, app.RestartCount);
            Assert.Equal((2, "Error"), (app.LastState.Terminated.ExitCode, app.LastState.Terminated.Reason));
            Assert.StartsWith("containerd://", app.LastState.Terminated.ContainerID, StringComparison.Ordinal);
            Assert.NotNull(app.LastState.Terminated.StartedAt);
            Assert.NotNull(app.LastState.Terminated.FinishedAt);
            Assert.Equal(PodStatusBuilder.PhaseRunning, first.Phase);
            Assert.Contains(_events.All, e => e.Reason == "BackOff" && e.Message == $"Back-off restarting failed container app in pod crash_default({pod.Metadata.Uid})");

            // The next restart comes once the 10 s are over, and the one after that waits twice as long.
            var prefix20 = $"back-off 20s restarting failed container=app pod=crash_default({pod.Metadata.Uid})";
            var second = await PodRunnerTests.SyncUntilAsync(runner, status => Waiting(status)?.Message == prefix20, timeout.Token);
            Assert.Equal(2, Assert.Single(second.ContainerStatuses).RestartCount);

            // Only the newest exited attempt is kept (lastState, logs --previous).
            var containers = await fixture.Cri.ListContainersAsync(Filter(pod), timeout.Token);
            Assert.Single(containers);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_NeverWithFailingContainer_PodFailedAndNotRestarted()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("never", "Never", TestPods.Busybox("app", "sh", "-c", "exit 5"));
        await using var runner = NewRunner(pod);
        try
        {
            var failed = await PodRunnerTests.SyncUntilAsync(runner, status => status.Phase == PodStatusBuilder.PhaseFailed, timeout.Token);
            var again = await runner.SyncAsync(pod, timeout.Token);

            Assert.Equal(PodStatusBuilder.PhaseFailed, again.Phase);
            var app = Assert.Single(again.ContainerStatuses);
            Assert.Equal((0, 5), (app.RestartCount, app.State.Terminated.ExitCode));
            Assert.Equal(failed.ContainerStatuses[0].ContainerID, app.ContainerID);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_FailingLivenessExecProbe_KillsAndRestartsContainer()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var app = TestPods.Busybox("app", "sleep", "3600");
        // sleep ignores SIGTERM as PID 1; the probe's own grace period (not the pod's 30 s) bounds the kill.
        app.LivenessProbe = TestPods.Exec("sh", "-c", "echo not-alive; exit 1");
        app.LivenessProbe.TerminationGracePeriodSeconds = 1;
        var pod = TestPods.New("liveness", "Always", app);
        await using var runner = NewRunner(pod);
        try
        {
            var restarted = await PodRunnerTests.SyncUntilAsync(
                runner, status => status.ContainerStatuses[0] is { RestartCount: >= 1, State.Running: not null }, timeout.Token);

            var container = Assert.Single(restarted.ContainerStatuses);
            Assert.Equal(137, container.LastState.Terminated.ExitCode);
            Assert.Contains(_events.All, e => e.Reason == "Unhealthy" && e.Message == "Liveness probe failed: not-alive\n");
            Assert.True(_events.Has("Killing", "Container app failed liveness probe, will be restarted"));
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_ReadinessHttpGetProbe_GatesReadyUntilServerAnswers()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var app = TestPods.Busybox("app", "sh", "-c", "mkdir -p /www && echo ok > /www/index.html && sleep 2 && exec httpd -f -p 127.0.0.1:18081 -h /www");
        app.Ports = [new V1ContainerPort { Name = "http", ContainerPort = 18081 }];
        app.ReadinessProbe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Port = "http", Path = "/index.html", HttpHeaders = [new V1HTTPHeader { Name = "X-Probe", Value = "1" }] },
            PeriodSeconds = 1,
        };
        var pod = TestPods.New("readiness", "Always", app);
        await using var runner = NewRunner(pod);
        try
        {
            var notReady = await PodRunnerTests.SyncUntilAsync(runner, status => status.Phase == PodStatusBuilder.PhaseRunning, timeout.Token);
            Assert.False(notReady.ContainerStatuses[0].Ready);
            Assert.True(notReady.ContainerStatuses[0].Started);
            Assert.Equal("False", Condition(notReady, "Ready").Status);
            Assert.Equal(("False", "ContainersNotReady"), (Condition(notReady, "ContainersReady").Status, Condition(notReady, "ContainersReady").Reason));

            var ready = await PodRunnerTests.SyncUntilAsync(runner, status => status.ContainerStatuses[0].Ready, timeout.Token);
            Assert.Equal("True", Condition(ready, "Ready").Status);
            Assert.Equal("True", Condition(ready, "ContainersReady").Status);
            Assert.Equal(0, ready.ContainerStatuses[0].RestartCount);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_StartupProbe_HoldsStartedAndReadyUntilItPasses()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var app = TestPods.Busybox("app", "sh", "-c", "sleep 2; touch /tmp/started; exec sleep 3600");
        app.StartupProbe = TestPods.Exec("test", "-f", "/tmp/started");
        app.StartupProbe.FailureThreshold = 30;
        // Would kill the container at once if it ran before the startup probe passed.
        app.LivenessProbe = TestPods.Exec("test", "-f", "/tmp/started");
        var pod = TestPods.New("startup", "Always", app);
        await using var runner = NewRunner(pod);
        try
        {
            var starting = await PodRunnerTests.SyncUntilAsync(runner, status => status.Phase == PodStatusBuilder.PhaseRunning, timeout.Token);
            Assert.Equal((false, false), (starting.ContainerStatuses[0].Started, starting.ContainerStatuses[0].Ready));

            var started = await PodRunnerTests.SyncUntilAsync(runner, status => status.ContainerStatuses[0].Started == true, timeout.Token);
            Assert.True(started.ContainerStatuses[0].Ready);
            Assert.Equal(0, started.ContainerStatuses[0].RestartCount);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_FailingStartupProbe_KillsAndRestartsContainer()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var app = TestPods.Busybox("app", "sleep", "3600");
        app.StartupProbe = TestPods.Exec("false");
        app.StartupProbe.TerminationGracePeriodSeconds = 1;
        var pod = TestPods.New("startup-fails", "Always", app);
        await using var runner = NewRunner(pod);
        try
        {
            var restarted = await PodRunnerTests.SyncUntilAsync(
                runner, status => status.ContainerStatuses[0] is { RestartCount: >= 1, State.Running: not null }, timeout.Token);

            Assert.False(restarted.ContainerStatuses[0].Started);
            Assert.True(_events.Has("Killing", "Container app failed startup probe, will be restarted"));
            Assert.True(_events.Has("Unhealthy", "Startup probe failed: "));
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_TcpSocketReadinessProbe_ReadyOnlyWhilePortListens()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var server = TestPods.Busybox("server", "sh", "-c", "mkdir -p /www && exec httpd -f -p 127.0.0.1:18082 -h /www");
        server.ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = 18082 }, PeriodSeconds = 1 };
        var closed = TestPods.Busybox("closed", "sleep", "3600");
        closed.ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = 18083 }, PeriodSeconds = 1 };
        var pod = TestPods.New("tcp", "Always", server, closed);
        await using var runner = NewRunner(pod);
        try
        {
            var status = await PodRunnerTests.SyncUntilAsync(runner, status => status.ContainerStatuses[0].Ready, timeout.Token);
            await Task.Delay(TimeSpan.FromSeconds(1.5), timeout.Token);
            status = await runner.SyncAsync(pod, timeout.Token);

            Assert.True(status.ContainerStatuses[0].Ready);
            Assert.False(status.ContainerStatuses[1].Ready);
            Assert.Equal("containers with unready status: [closed]", Condition(status, "Ready").Message);
            Assert.Contains(_events.All, e => e.Reason == "Unhealthy" && e.Message.StartsWith("Readiness probe failed: dial tcp 127.0.0.1:18083: ", StringComparison.Ordinal));
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_PostStartHook_RunsAfterStartAndItsOutputIsInTheLog()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var app = TestPods.Busybox("app", "sh", "-c", "echo main; exec sleep 3600");
        app.Lifecycle = new V1Lifecycle
        {
            PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["sh", "-c", "echo from-post-start > /proc/1/fd/1"] } },
        };
        var pod = TestPods.New("poststart", "Always", app);
        await using var runner = NewRunner(pod);
        try
        {
            await PodRunnerTests.SyncUntilAsync(runner, status => status.Phase == PodStatusBuilder.PhaseRunning, timeout.Token);

            var log = Path.Combine(_sandboxBuilder.LogDirectory(pod), "app", "0.log");
            var lines = await EventuallyAsync(async () =>
            {
                var text = File.Exists(log) ? await File.ReadAllLinesAsync(log, timeout.Token) : [];
                return text.Any(line => line.EndsWith(" stdout F from-post-start", StringComparison.Ordinal)) ? text : null;
            }, timeout.Token);
            Assert.Contains(lines, line => line.EndsWith(" stdout F main", StringComparison.Ordinal));
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_FailingPostStartHook_KillsContainerWithEvent()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var app = TestPods.Busybox("app", "sleep", "3600");
        app.Lifecycle = new V1Lifecycle { PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["sh", "-c", "exit 7"] } } };
        var pod = TestPods.New("poststart-fails", "Never", app);
        pod.Spec.TerminationGracePeriodSeconds = 1;
        await using var runner = NewRunner(pod);
        try
        {
            var failed = await PodRunnerTests.SyncUntilAsync(runner, status => status.Phase == PodStatusBuilder.PhaseFailed, timeout.Token);

            Assert.NotNull(failed.ContainerStatuses[0].State.Terminated);
            Assert.True(_events.Has(
                "FailedPostStartHook",
                $"Exec lifecycle hook ([sh -c exit 7]) for Container \"app\" in Pod \"poststart-fails_default({pod.Metadata.Uid})\" failed - error: command 'sh -c exit 7' exited with 7: , message: \"\""));
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Stop_PreStopHook_RunsBeforeSigterm()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var app = TestPods.Busybox("app", "sh", "-c", "trap 'echo got-term; exit 0' TERM; echo started; while true; do sleep 0.1; done");
        app.Lifecycle = new V1Lifecycle
        {
            PreStop = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["sh", "-c", "echo pre-stop > /proc/1/fd/1; sleep 1"] } },
        };
        var pod = TestPods.New("prestop", "Always", app);
        await using var runner = NewRunner(pod);
        var log = Path.Combine(_sandboxBuilder.LogDirectory(pod), "app", "0.log");
        try
        {
            await PodRunnerTests.SyncUntilAsync(runner, status => status.Phase == PodStatusBuilder.PhaseRunning, timeout.Token);
            await EventuallyAsync(async () => File.Exists(log) && (await File.ReadAllTextAsync(log, timeout.Token)).Contains("started", StringComparison.Ordinal) ? log : null, timeout.Token);
        }
        finally
        {
            await runner.StopAsync(TimeSpan.FromSeconds(10), timeout.Token);
        }

        var messages = (await File.ReadAllLinesAsync(log, timeout.Token)).Select(line => line.Split(' ', 4)[3]).ToList();
        Assert.Equal(["started", "pre-stop", "got-term"], messages);
        Assert.True(_events.Has("Killing", "Stopping container app"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_ContainerOverMemoryLimit_TerminatedWithOOMKilled()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var hog = TestPods.Busybox("hog", "sh", "-c", "echo hogging; tail /dev/zero");
        hog.Resources = new V1ResourceRequirements
        {
            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("32Mi") },
        };
        var pod = TestPods.New("oom", "Never", hog);
        await using var runner = NewRunner(pod);
        try
        {
            var failed = await PodRunnerTests.SyncUntilAsync(runner, status => status.Phase == PodStatusBuilder.PhaseFailed, timeout.Token);

            var terminated = failed.ContainerStatuses[0].State.Terminated;
            Assert.Equal(("OOMKilled", 137), (terminated.Reason, terminated.ExitCode));
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_FailingInitContainerWithOnFailure_RetriedWithBackOffWhileAppWaits()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        // Always fails: OnFailure retries it with back-off, and the app container waits behind it.
        var flaky = TestPods.Busybox("flaky", "sh", "-c", "exit 1");
        var pod = TestPods.New("init-retry", "OnFailure", TestPods.Busybox("app", "sleep", "3600"));
        pod.Spec.InitContainers = [TestPods.Busybox("first", "true"), flaky];
        await using var runner = NewRunner(pod);
        try
        {
            var status = await PodRunnerTests.SyncUntilAsync(
                runner, status => status.InitContainerStatuses[1].RestartCount >= 1 && status.InitContainerStatuses[1].State.Waiting?.Reason == "CrashLoopBackOff", timeout.Token);

            Assert.Equal(PodStatusBuilder.PhasePending, status.Phase);
            Assert.Equal(0, status.InitContainerStatuses[0].State.Terminated?.ExitCode);
            Assert.Equal("PodInitializing", status.ContainerStatuses[0].State.Waiting?.Reason);
            Assert.Equal(
                ("False", "containers with incomplete status: [flaky]"),
                (Condition(status, "Initialized").Status, Condition(status, "Initialized").Message));
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_SandboxDied_RecreatesSandboxAndRestartsContainers()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = TestPods.New("sandbox-dies", "Always", TestPods.Busybox("app", "sleep", "3600"));
        pod.Spec.TerminationGracePeriodSeconds = 1;
        await using var runner = NewRunner(pod);
        try
        {
            var running = await PodRunnerTests.SyncUntilAsync(runner, status => status.Phase == PodStatusBuilder.PhaseRunning, timeout.Token);
            var oldSandbox = runner.SandboxId!;
            var verbose = await fixture.Cri.PodSandboxStatusAsync(oldSandbox, verbose: true, timeout.Token);
            using (var info = System.Text.Json.JsonDocument.Parse(verbose.Info["info"]))
            {
                System.Diagnostics.Process.GetProcessById(info.RootElement.GetProperty("pid").GetInt32()).Kill();
            }

            var recreated = await PodRunnerTests.SyncUntilAsync(
                runner, status => runner.SandboxId != oldSandbox && status.ContainerStatuses[0].State.Running is not null, timeout.Token);

            Assert.NotEqual(running.ContainerStatuses[0].ContainerID, recreated.ContainerStatuses[0].ContainerID);
            Assert.Equal(1, recreated.ContainerStatuses[0].RestartCount);
            Assert.True(_events.Has("SandboxChanged", "Pod sandbox changed, it will be killed and re-created."));
            Assert.DoesNotContain(await fixture.Cri.ListPodSandboxAsync(null, timeout.Token), sandbox => sandbox.Id == oldSandbox);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_SidecarInitContainer_KeepsRunningBesideAppContainer()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var sidecar = TestPods.Busybox("sidecar", "sleep", "3600");
        sidecar.RestartPolicy = "Always";
        var pod = TestPods.New("sidecar", "Never", TestPods.Busybox("app", "sleep", "3600"));
        pod.Spec.InitContainers = [TestPods.Busybox("setup", "true"), sidecar];
        await using var runner = NewRunner(pod);
        try
        {
            var status = await PodRunnerTests.SyncUntilAsync(runner, status => status.ContainerStatuses[0].State.Running is not null, timeout.Token);

            Assert.Equal(PodStatusBuilder.PhaseRunning, status.Phase);
            Assert.Equal(0, status.InitContainerStatuses[0].State.Terminated?.ExitCode);
            Assert.NotNull(status.InitContainerStatuses[1].State.Running);
            Assert.Equal("True", Condition(status, "Initialized").Status);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_AppContainersDoneWithSidecar_SidecarStoppedAndPodSucceeds()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var sidecar = TestPods.Busybox("sidecar", "sleep", "3600");
        sidecar.RestartPolicy = "Always";
        var pod = TestPods.New("sidecar-done", "Never", TestPods.Busybox("app", "sh", "-c", "sleep 1"));
        pod.Spec.InitContainers = [sidecar];
        pod.Spec.TerminationGracePeriodSeconds = 1;
        await using var runner = NewRunner(pod);
        try
        {
            var status = await PodRunnerTests.SyncUntilAsync(runner, status => status.Phase == PodStatusBuilder.PhaseSucceeded, timeout.Token);
            status = await runner.SyncAsync(pod, timeout.Token);

            Assert.Equal(PodStatusBuilder.PhaseSucceeded, status.Phase);
            Assert.NotNull(status.InitContainerStatuses[0].State.Terminated);
            Assert.Equal(0, status.InitContainerStatuses[0].RestartCount);
        }
        finally
        {
            await StopAsync(runner);
        }
    }

    /// <summary>These runners read the node-wide listing, as the kubelet host's do (PodRunnerTests cover per-pod listing).</summary>
    private PodRunner NewRunner(V1Pod pod) =>
        new(fixture.Cri, pod, _sandboxBuilder, new PodRunnerOptions { HostIP = "127.0.0.1" }, new PodServices { Events = _events, Relist = _relist });

    private static async Task StopAsync(PodRunner runner)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await runner.StopAsync(TimeSpan.FromSeconds(1), timeout.Token);
    }

    private static V1ContainerStateWaiting? Waiting(V1PodStatus status) => status.ContainerStatuses[0].State.Waiting;

    private static V1PodCondition Condition(V1PodStatus status, string type) => Assert.Single(status.Conditions, condition => condition.Type == type);

    private static Cri.V1.ContainerFilter Filter(V1Pod pod)
    {
        var filter = new Cri.V1.ContainerFilter();
        filter.LabelSelector[KubernetesLabels.PodUid] = pod.Metadata.Uid;
        return filter;
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
