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
    public async Task Start_RegistersReadyNode()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var node = await EventuallyAsync(
            async () =>
            {
                try
                {
                    var current = await fixture.Admin.CoreV1.ReadNodeAsync(KubeletHostFixture.NodeName, cancellationToken: timeout.Token);
                    return current.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? current : null;
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    return null;
                }
            },
            timeout.Token);
        Assert.StartsWith("containerd://", node.Status.NodeInfo.ContainerRuntimeVersion, StringComparison.Ordinal);
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
            Containers = [new V1Container { Name = "app", Image = "busybox", Command = command }],
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
