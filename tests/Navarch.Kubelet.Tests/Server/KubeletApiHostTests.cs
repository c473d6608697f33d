using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Kubelet.Tests.Hosting;

namespace Navarch.Kubelet.Tests.Server;

/// <summary>The kubelet API inside a running kubelet: the port the Node reports, and logs of a pod it ran.</summary>
[Collection(KubeletHostCollection.Name)]
public sealed class KubeletApiHostTests(KubeletHostFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(40);

    [Fact(Timeout = 45_000)]
    public async Task Node_ReportsTheKubeletApiPortInDaemonEndpoints()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var port = fixture.Kubelet.KubeletPort;
        Assert.NotNull(port);
        Assert.NotEqual(0, port);

        var reported = await EventuallyAsync(async () =>
        {
            try
            {
                var node = await fixture.Admin.CoreV1.ReadNodeAsync(KubeletHostFixture.NodeName, cancellationToken: timeout.Token);
                return node.Status?.DaemonEndpoints?.KubeletEndpoint?.Port;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, timeout.Token);

        Assert.Equal(port, reported);
        using var client = fixture.KubeletClient("kube-apiserver-kubelet-client");
        Assert.Equal("ok", await client.GetStringAsync("/healthz", timeout.Token));
    }

    [Fact(Timeout = 45_000)]
    public async Task ContainerLogs_OfPodTheKubeletRan_AreServedToTheApiServerOnly()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ns = await fixture.NamespaceAsync("logs");
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "printer" },
            Spec = new V1PodSpec
            {
                NodeName = KubeletHostFixture.NodeName,
                RestartPolicy = "Never",
                HostNetwork = true,
                Containers =
                [
                    new V1Container
                    {
                        Name = "app", Image = "busybox", ImagePullPolicy = "IfNotPresent",
                        Command = ["sh", "-c", "echo hello-kubelet-api"],
                    },
                ],
            },
        };
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: timeout.Token);
        using var apiServer = fixture.KubeletClient("kube-apiserver-kubelet-client");
        using var node = fixture.KubeletClient("system:node:other");

        var logs = await EventuallyAsync(async () =>
        {
            var response = await apiServer.GetAsync($"/containerLogs/{ns}/printer/app", timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            return response.IsSuccessStatusCode && text.Length > 0 ? text : null;
        }, timeout.Token);
        var forbidden = await node.GetAsync($"/containerLogs/{ns}/printer/app", timeout.Token);

        Assert.Equal("hello-kubelet-api\n", logs);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}
