using System.Text;
using k8s;
using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Tests.Hosting;

namespace Navarch.Kubelet.Tests.Volumes;

/// <summary>Volumes through the whole kubelet: a running pod's ConfigMap volume, env and /etc/hosts, and the file following an update.</summary>
[Collection(KubeletHostCollection.Name)]
public sealed class KubeletVolumeTests(KubeletHostFixture fixture)
{
    [Fact(Timeout = 45_000)]
    public async Task RunningPod_ConfigMapVolumeFollowsUpdateWithinSeconds()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var ns = await fixture.NamespaceAsync("cfgvol");
        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" }, Data = new Dictionary<string, string> { ["color"] = "blue" } }, ns,
            cancellationToken: timeout.Token);
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "reader" },
            Spec = new V1PodSpec
            {
                NodeName = KubeletHostFixture.NodeName,
                HostNetwork = true,
                Containers =
                [
                    new V1Container
                    {
                        Name = "app",
                        Image = "busybox",
                        ImagePullPolicy = "IfNotPresent",
                        Command = ["sleep", "3600"],
                        Env = [new V1EnvVar { Name = "COLOR", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cfg", Key = "color" } } }],
                        VolumeMounts = [new V1VolumeMount { Name = "cfg", MountPath = "/etc/cfg" }],
                    },
                ],
                Volumes = [new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg" } }],
            },
        };
        var created = await fixture.Admin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: timeout.Token);
        var containerId = await EventuallyAsync(async () => (await RunningContainerAsync(created.Metadata.Uid, timeout.Token))?.Id, timeout.Token);

        Assert.Equal("blue|blue", await ExecAsync(containerId, "cat /etc/cfg/color; echo -n \"|$COLOR\"", timeout.Token));
        Assert.Equal("# Kubernetes-managed hosts file (host network).\n", await ExecAsync(containerId, "head -n 1 /etc/hosts", timeout.Token));

        await fixture.Admin.CoreV1.ReplaceNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" }, Data = new Dictionary<string, string> { ["color"] = "green" } }, "cfg", ns,
            cancellationToken: timeout.Token);
        var updatedAt = DateTime.UtcNow;
        await EventuallyAsync(
            async () => await ExecAsync(containerId, "cat /etc/cfg/color", timeout.Token) == "green" ? "yes" : null, timeout.Token);

        Assert.True(DateTime.UtcNow - updatedAt < TimeSpan.FromSeconds(10), "the update took longer than 10 s to show");
        // Env is fixed when the container is created, as in Kubernetes.
        Assert.Equal("blue", await ExecAsync(containerId, "echo -n $COLOR", timeout.Token));
        await fixture.Admin.CoreV1.DeleteNamespacedPodAsync("reader", ns, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: timeout.Token);
    }

    private async Task<Container?> RunningContainerAsync(string uid, CancellationToken cancellationToken)
    {
        var filter = new ContainerFilter();
        filter.LabelSelector[KubernetesLabels.PodUid] = uid;
        var cri = fixture.Kubelet.Runtime ?? throw new InvalidOperationException("the kubelet has no runtime");
        return (await cri.ListContainersAsync(filter, cancellationToken)).FirstOrDefault(c => c.State == ContainerState.ContainerRunning);
    }

    private async Task<string> ExecAsync(string containerId, string script, CancellationToken cancellationToken)
    {
        var cri = fixture.Kubelet.Runtime ?? throw new InvalidOperationException("the kubelet has no runtime");
        var result = await cri.ExecSyncAsync(containerId, ["sh", "-c", script], TimeSpan.FromSeconds(5), cancellationToken);
        return Encoding.UTF8.GetString(result.Stdout.Span);
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
