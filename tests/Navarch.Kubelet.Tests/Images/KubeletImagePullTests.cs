using k8s;
using k8s.Models;
using Navarch.Kubelet.Tests.Hosting;

namespace Navarch.Kubelet.Tests.Images;

/// <summary>Image pull failures as a running kubelet reports them in pod status and events.</summary>
[Collection(KubeletHostCollection.Name)]
public sealed class KubeletImagePullTests(KubeletHostFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(25);

    [Fact(Timeout = 30_000)]
    public async Task UnreachableRegistry_PodWaitsWithErrImagePullThenImagePullBackOff()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ns = await fixture.NamespaceAsync("pullfail");
        // Port 9 on loopback has no listener: the pull fails at once with connection refused. The first failure (ErrImagePull)
        // may be overwritten before a poll sees it; the back-off message carries it.
        const string image = "127.0.0.1:9/missing/app:1";
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(NewPod("pullfail", image, "IfNotPresent"), ns, cancellationToken: timeout.Token);

        V1ContainerStateWaiting? backOff = null;
        while (backOff is null)
        {
            var pod = await fixture.Admin.CoreV1.ReadNamespacedPodAsync("pullfail", ns, cancellationToken: timeout.Token);
            if (pod.Status?.ContainerStatuses is [{ State.Waiting: { } waiting }])
            {
                backOff = waiting.Reason == "ImagePullBackOff" ? waiting : null;
            }

            await Task.Delay(100, timeout.Token);
        }

        Assert.StartsWith($"Back-off pulling image \"{image}\": Failed to pull image \"{image}\": rpc error: code = ", backOff.Message);
        var events = await fixture.Admin.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: timeout.Token);
        Assert.Contains(events.Items, e => e.Reason == "Pulling" && e.Message == $"Pulling image \"{image}\"" && e.Source?.Component == "kubelet");
        Assert.Contains(events.Items, e => e.Reason == "Failed" && e.Type == "Warning");
        await fixture.Admin.CoreV1.DeleteNamespacedPodAsync("pullfail", ns, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: timeout.Token);
    }

    [Fact(Timeout = 30_000)]
    public async Task NeverPolicy_MissingImage_PodWaitsWithErrImageNeverPull()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ns = await fixture.NamespaceAsync("neverpull");
        const string image = "127.0.0.1:9/missing/app:1";
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(NewPod("neverpull", image, "Never"), ns, cancellationToken: timeout.Token);

        V1ContainerStateWaiting? waiting = null;
        while (waiting?.Reason != "ErrImageNeverPull")
        {
            var pod = await fixture.Admin.CoreV1.ReadNamespacedPodAsync("neverpull", ns, cancellationToken: timeout.Token);
            waiting = pod.Status?.ContainerStatuses is [{ State.Waiting: { } w }] ? w : null;
            await Task.Delay(100, timeout.Token);
        }

        Assert.Equal($"Container image \"{image}\" is not present with pull policy of Never", waiting.Message);
        await fixture.Admin.CoreV1.DeleteNamespacedPodAsync("neverpull", ns, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: timeout.Token);
    }

    private static V1Pod NewPod(string name, string image, string policy) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = KubeletHostFixture.NodeName,
            HostNetwork = true,
            RestartPolicy = "Never",
            Containers = [new V1Container { Name = "app", Image = image, ImagePullPolicy = policy, Command = ["true"] }],
        },
    };
}
