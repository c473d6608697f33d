using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Tests.Hosting;

/// <summary>The kubelet end to end: pods bound to its node in a real API server run on a real containerd.</summary>
[Collection(KubeletHostCollection.Name)]
public sealed class KubeletHostTests(KubeletHostFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(25);

    [Fact(Timeout = 30_000)]
    public async Task Start_NodeNotReadyUntilItsPodNetworkIsConfigured_ThenReady()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var registered = await EventuallyAsync(() => ReadNodeAsync(timeout.Token), timeout.Token);
        if (string.IsNullOrEmpty(registered.Spec?.PodCIDR))
        {
            // No pod CIDR, so no CNI config, so containerd's NetworkReady is false: the node must say so.
            var notReady = Assert.Single(registered.Status.Conditions, c => c.Type == "Ready");
            Assert.Equal(("False", "KubeletNotReady"), (notReady.Status, notReady.Reason));
            Assert.StartsWith("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady", notReady.Message, StringComparison.Ordinal);

            // What node IPAM does in a cluster.
            var patch = new V1Patch("""{"spec":{"podCIDR":"10.244.7.0/24","podCIDRs":["10.244.7.0/24"]}}""", V1Patch.PatchType.MergePatch);
            await fixture.Admin.CoreV1.PatchNodeAsync(patch, KubeletHostFixture.NodeName, cancellationToken: timeout.Token);
        }

        var node = await EventuallyAsync(
            async () => await ReadNodeAsync(timeout.Token) is { } current && current.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true
                ? current
                : null,
            timeout.Token);
        Assert.StartsWith("containerd://", node.Status.NodeInfo.ContainerRuntimeVersion, StringComparison.Ordinal);
        Assert.Equal("kubelet is posting ready status", Assert.Single(node.Status.Conditions, c => c.Type == "Ready").Message);
    }

    private async Task<V1Node?> ReadNodeAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await fixture.Admin.CoreV1.ReadNodeAsync(KubeletHostFixture.NodeName, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task PodExitingZero_StatusBecomesSucceeded()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ns = await fixture.NamespaceAsync("hello");
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(
            NewPod("hello", "Never", "sh", "-c", "echo hello-from-kubelet"), ns, cancellationToken: timeout.Token);

        var pod = await EventuallyAsync(
            async () =>
            {
                var current = await fixture.Admin.CoreV1.ReadNamespacedPodAsync("hello", ns, cancellationToken: timeout.Token);
                return current.Status?.Phase == PodStatusBuilder.PhaseSucceeded ? current : null;
            },
            timeout.Token);

        var container = Assert.Single(pod.Status.ContainerStatuses);
        Assert.Equal("app", container.Name);
        Assert.NotNull(container.State.Terminated);
        Assert.Equal(0, container.State.Terminated.ExitCode);
        Assert.Equal("Completed", container.State.Terminated.Reason);
        Assert.Equal(pod.Status.HostIP, pod.Status.PodIP);
    }

    [Fact(Timeout = 30_000)]
    public async Task LongRunningPod_RunsReady_ThenDeleteRemovesPodAndContainers()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ns = await fixture.NamespaceAsync("sleeper");
        var created = await fixture.Admin.CoreV1.CreateNamespacedPodAsync(
            NewPod("sleeper", "Always", "sleep", "3600"), ns, cancellationToken: timeout.Token);

        var running = await EventuallyAsync(
            async () =>
            {
                var current = await fixture.Admin.CoreV1.ReadNamespacedPodAsync("sleeper", ns, cancellationToken: timeout.Token);
                var ready = current.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
                return current.Status?.Phase == PodStatusBuilder.PhaseRunning && ready?.Status == "True" ? current : null;
            },
            timeout.Token);
        Assert.NotNull(Assert.Single(running.Status.ContainerStatuses).State.Running);
        Assert.NotEmpty(await ContainersOfAsync(created.Uid(), timeout.Token));

        await fixture.Admin.CoreV1.DeleteNamespacedPodAsync(
            "sleeper", ns, new V1DeleteOptions { GracePeriodSeconds = 1 }, cancellationToken: timeout.Token);

        await EventuallyAsync(
            async () =>
            {
                var pods = await fixture.Admin.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: timeout.Token);
                return pods.Items.Count == 0 ? pods : null;
            },
            timeout.Token);
        Assert.Empty(await ContainersOfAsync(created.Uid(), timeout.Token));
    }

    [Fact(Timeout = 30_000)]
    public async Task FailingLivenessProbe_ApiShowsRestartsCrashLoopBackOffAndKubeletEvents()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ns = await fixture.NamespaceAsync("liveness");
        var pod = NewPod("unhealthy", "Always", "sleep", "3600");
        pod.Spec.Containers[0].LivenessProbe = new V1Probe
        {
            Exec = new V1ExecAction { Command = ["false"] },
            PeriodSeconds = 1,
            FailureThreshold = 1,
            // sleep ignores SIGTERM; keep each kill short.
            TerminationGracePeriodSeconds = 1,
        };
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: timeout.Token);

        var crashing = await EventuallyAsync(
            async () =>
            {
                var current = await fixture.Admin.CoreV1.ReadNamespacedPodAsync("unhealthy", ns, cancellationToken: timeout.Token);
                var container = current.Status?.ContainerStatuses?.FirstOrDefault();
                return container?.State?.Waiting?.Reason == "CrashLoopBackOff" ? current : null;
            },
            timeout.Token);

        var status = Assert.Single(crashing.Status.ContainerStatuses);
        Assert.True(status.RestartCount >= 1);
        Assert.Equal(
            $"back-off 10s restarting failed container=app pod=unhealthy_{ns}({crashing.Uid()})",
            status.State.Waiting.Message);
        Assert.Equal(137, status.LastState.Terminated.ExitCode);
        Assert.Equal("Running", crashing.Status.Phase);

        var events = await EventuallyAsync(
            async () =>
            {
                var list = await fixture.Admin.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: timeout.Token);
                return list.Items.Any(e => e.Reason == "Killing") && list.Items.Any(e => e.Reason == "Unhealthy") ? list : null;
            },
            timeout.Token);
        var killing = events.Items.First(e => e.Reason == "Killing");
        Assert.Equal("Container app failed liveness probe, will be restarted", killing.Message);
        Assert.Equal(("kubelet", KubeletHostFixture.NodeName), (killing.Source?.Component, killing.Source?.Host));
        Assert.Equal("unhealthy", killing.InvolvedObject.Name);
    }

    [Fact(Timeout = 30_000)]
    public async Task ReadinessProbe_ApiReadyConditionFollowsIt()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ns = await fixture.NamespaceAsync("ready");
        var pod = NewPod("web", "Always", "sh", "-c", "mkdir -p /www && echo ok > /www/index.html && sleep 2 && exec httpd -f -p 18091 -h /www");
        pod.Spec.Containers[0].ReadinessProbe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Port = 18091, Path = "/index.html" },
            PeriodSeconds = 1,
        };
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: timeout.Token);

        var running = await EventuallyAsync(
            async () =>
            {
                var current = await fixture.Admin.CoreV1.ReadNamespacedPodAsync("web", ns, cancellationToken: timeout.Token);
                return current.Status?.Phase == PodStatusBuilder.PhaseRunning ? current : null;
            },
            timeout.Token);
        Assert.Equal("False", running.Status.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.False(running.Status.ContainerStatuses[0].Ready);

        var ready = await EventuallyAsync(
            async () =>
            {
                var current = await fixture.Admin.CoreV1.ReadNamespacedPodAsync("web", ns, cancellationToken: timeout.Token);
                return current.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? current : null;
            },
            timeout.Token);
        Assert.True(ready.Status.ContainerStatuses[0].Ready);
        Assert.Equal("True", ready.Status.Conditions.Single(c => c.Type == "ContainersReady").Status);
        await fixture.Admin.CoreV1.DeleteNamespacedPodAsync("web", ns, new V1DeleteOptions { GracePeriodSeconds = 1 }, cancellationToken: timeout.Token);
    }

    [Fact(Timeout = 30_000)]
    public async Task VolumeThatCannotBeSetUp_ContainerCreatingWithFailedMountEvent()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ns = await fixture.NamespaceAsync("mountfail");
        var pod = NewPod("mountfail", "Always", "sleep", "3600");
        pod.Spec.Volumes = [new V1Volume { Name = "data", HostPath = new V1HostPathVolumeSource { Path = "/nonexistent-navarch-lifecycle", Type = "Directory" } }];
        pod.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }];
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: timeout.Token);

        var events = await EventuallyAsync(
            async () =>
            {
                var list = await fixture.Admin.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: timeout.Token);
                return list.Items.Any(e => e.Reason == "FailedMount") ? list : null;
            },
            timeout.Token);
        Assert.Contains("/nonexistent-navarch-lifecycle", events.Items.First(e => e.Reason == "FailedMount").Message, StringComparison.Ordinal);

        var current = await EventuallyAsync(
            async () =>
            {
                var read = await fixture.Admin.CoreV1.ReadNamespacedPodAsync("mountfail", ns, cancellationToken: timeout.Token);
                return read.Status?.ContainerStatuses is { Count: 1 } ? read : null;
            },
            timeout.Token);
        Assert.Equal("Pending", current.Status.Phase);
        Assert.Equal("ContainerCreating", current.Status.ContainerStatuses[0].State.Waiting?.Reason);
        Assert.Empty(await ContainersOfAsync(current.Uid(), timeout.Token));
    }

    private async Task<IReadOnlyList<Container>> ContainersOfAsync(string uid, CancellationToken cancellationToken)
    {
        var filter = new ContainerFilter();
        filter.LabelSelector[KubernetesLabels.PodUid] = uid;
        return await fixture.Kubelet.Runtime!.ListContainersAsync(filter, cancellationToken);
    }

    private static V1Pod NewPod(string name, string restartPolicy, params string[] command) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = KubeletHostFixture.NodeName,
            HostNetwork = true,
            RestartPolicy = restartPolicy,
            // The image is imported; there is no registry to pull busybox:latest from (Always is the API default for :latest).
            Containers = [new V1Container { Name = "app", Image = "busybox", ImagePullPolicy = "IfNotPresent", Command = command }],
        },
    };

    /// <summary>Polls every 100 ms until <paramref name="probe"/> returns a value; the token's deadline fails the test.</summary>
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
