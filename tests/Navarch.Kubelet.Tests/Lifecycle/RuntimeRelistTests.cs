using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Pods.Lifecycle;

namespace Navarch.Kubelet.Tests.Lifecycle;

[Collection(ContainerdCollection.Name)]
public sealed class RuntimeRelistTests(ContainerdFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task ForPod_SharesOneListingUntilAskedForOneAfterAChange()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var relist = new RuntimeRelist(fixture.Cri, TimeSpan.FromMinutes(10), TimeProvider.System);
        var sandbox = fixture.NewSandboxConfig("relist");
        var uid = sandbox.Metadata.Uid;
        sandbox.Labels[KubernetesLabels.PodUid] = uid;

        var before = await relist.ForPodAsync(uid, 0, timeout.Token);
        var sandboxId = await fixture.Cri.RunPodSandboxAsync(sandbox, string.Empty, timeout.Token);
        try
        {
            var config = ContainerdFixture.NewContainerConfig(sandbox, "app", "sleep", "60");
            config.Labels[KubernetesLabels.PodUid] = uid;
            await fixture.Cri.CreateContainerAsync(sandboxId, config, sandbox, timeout.Token);
            var changedAt = TimeProvider.System.GetTimestamp();

            var cached = await relist.ForPodAsync(uid, 0, timeout.Token);
            var after = await relist.ForPodAsync(uid, changedAt, timeout.Token);

            Assert.Empty(before.Sandboxes);
            Assert.Empty(cached.Containers);
            Assert.Equal(sandboxId, Assert.Single(after.Sandboxes).Id);
            Assert.Equal("app", Assert.Single(after.Containers).Metadata.Name);
        }
        finally
        {
            await fixture.RemoveSandboxAsync(sandboxId);
        }
    }
}
