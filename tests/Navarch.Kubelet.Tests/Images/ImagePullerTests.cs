using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Images;

namespace Navarch.Kubelet.Tests.Images;

/// <summary>imagePullPolicy, imagePullSecrets and pull back-off against real registries on loopback and a real containerd.</summary>
[Collection(ImagePullCollection.Name)]
public sealed class ImagePullerTests(ContainerdFixture containerd, ImagePullFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 60_000)]
    public async Task IfNotPresent_MissingImage_IsPulledFromRegistry()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var image = await fixture.PushBusyboxAsync(fixture.Open, "test/busybox");
        var events = new RecordingEvents();
        var puller = new ImagePuller(containerd.Cri, fixture.Admin, TimeProvider.System, events);
        Assert.Null(await containerd.Cri.ImageStatusAsync(image, timeout.Token));

        var imageRef = await puller.EnsureImageAsync(Pod(), Container(image, "IfNotPresent"), containerd.NewSandboxConfig("pull"), timeout.Token);

        var status = await containerd.Cri.ImageStatusAsync(image, timeout.Token);
        Assert.NotNull(status);
        Assert.Equal(status.Id, imageRef);
        Assert.Contains(image, status.RepoTags);
        Assert.Collection(events.Events,
            e => Assert.Equal(("Normal", "Pulling", $"Pulling image \"{image}\""), e),
            e =>
            {
                Assert.Equal("Pulled", e.Reason);
                Assert.Matches(
                    $"^Successfully pulled image \"{System.Text.RegularExpressions.Regex.Escape(image)}\" in [0-9.]+m?s \\([0-9.]+m?s including waiting\\)\\. Image size: {status.Size} bytes\\.$",
                    e.Message);
            });
    }

    [Fact(Timeout = 60_000)]
    public async Task IfNotPresent_PresentImage_IsNotPulled()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var events = new RecordingEvents();
        var puller = new ImagePuller(containerd.Cri, null, TimeProvider.System, events);

        // busybox is imported, never pushed anywhere: a pull would fail, there is no docker.io here.
        var imageRef = await puller.EnsureImageAsync(Pod(), Container("busybox", "IfNotPresent"), containerd.NewSandboxConfig("present"), timeout.Token);

        Assert.Equal((await containerd.Cri.ImageStatusAsync("busybox", timeout.Token))!.Id, imageRef);
        Assert.Equal(("Normal", "Pulled", "Container image \"busybox\" already present on machine"), Assert.Single(events.Events));
    }

    [Fact(Timeout = 60_000)]
    public async Task Always_PresentImage_IsPulledAgain()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var image = await fixture.PushBusyboxAsync(fixture.Open, "test/always");
        var events = new RecordingEvents();
        var puller = new ImagePuller(containerd.Cri, null, TimeProvider.System, events);
        await puller.EnsureImageAsync(Pod(), Container(image, "IfNotPresent"), containerd.NewSandboxConfig("always"), timeout.Token);

        await puller.EnsureImageAsync(Pod(), Container(image, "Always"), containerd.NewSandboxConfig("always"), timeout.Token);

        Assert.Equal(2, events.Events.Count(e => e.Reason == "Pulling"));
    }

    [Fact(Timeout = 60_000)]
    public async Task UnsetPolicy_WithAVersionTag_ActsAsIfNotPresent()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var image = await fixture.PushBusyboxAsync(fixture.Open, "test/unset");
        var events = new RecordingEvents();
        var puller = new ImagePuller(containerd.Cri, null, TimeProvider.System, events);
        var container = new V1Container { Name = "c", Image = image };

        await puller.EnsureImageAsync(Pod(), container, containerd.NewSandboxConfig("unset"), timeout.Token);
        await puller.EnsureImageAsync(Pod(), container, containerd.NewSandboxConfig("unset"), timeout.Token);

        Assert.Equal(["Pulling", "Pulled", "Pulled"], events.Events.Select(e => e.Reason));
        Assert.Equal($"Container image \"{image}\" already present on machine", events.Events.Last().Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task Never_MissingImage_FailsWithErrImageNeverPull()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var image = $"{fixture.Open.Host}/test/never:1";
        var puller = new ImagePuller(containerd.Cri, null, TimeProvider.System);

        var error = await Assert.ThrowsAsync<ImagePullException>(
            () => puller.EnsureImageAsync(Pod(), Container(image, "Never"), containerd.NewSandboxConfig("never"), timeout.Token));

        Assert.Equal("ErrImageNeverPull", error.Reason);
        Assert.Equal($"Container image \"{image}\" is not present with pull policy of Never", error.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task WrongTag_FailsWithErrImagePull_ThenImagePullBackOffUntilTheBackOffPasses()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await fixture.PushBusyboxAsync(fixture.Open, "test/wrongtag");
        var image = $"{fixture.Open.Host}/test/wrongtag:no-such-tag";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var events = new RecordingEvents();
        var puller = new ImagePuller(containerd.Cri, null, time, events);
        var pod = Pod();
        var container = Container(image, "IfNotPresent");

        var first = await Assert.ThrowsAsync<ImagePullException>(
            () => puller.EnsureImageAsync(pod, container, containerd.NewSandboxConfig("wrong"), timeout.Token));
        var second = await Assert.ThrowsAsync<ImagePullException>(
            () => puller.EnsureImageAsync(pod, container, containerd.NewSandboxConfig("wrong"), timeout.Token));
        time.Advance(TimeSpan.FromSeconds(11));
        var third = await Assert.ThrowsAsync<ImagePullException>(
            () => puller.EnsureImageAsync(pod, container, containerd.NewSandboxConfig("wrong"), timeout.Token));
        time.Advance(TimeSpan.FromSeconds(11));
        var fourth = await Assert.ThrowsAsync<ImagePullException>(
            () => puller.EnsureImageAsync(pod, container, containerd.NewSandboxConfig("wrong"), timeout.Token));

        Assert.Equal("ErrImagePull", first.Reason);
        Assert.StartsWith($"Failed to pull image \"{image}\": rpc error: code = ", first.Message);
        Assert.Contains("not found", first.Message, StringComparison.Ordinal);
        Assert.Equal("ImagePullBackOff", second.Reason);
        Assert.Equal($"Back-off pulling image \"{image}\": {first.Message}", second.Message);
        Assert.Equal("ErrImagePull", third.Reason);
        // The second failure doubled the back-off to 20 s.
        Assert.Equal("ImagePullBackOff", fourth.Reason);
        Assert.Equal(["Pulling", "Failed", "BackOff", "Pulling", "Failed", "BackOff"], events.Events.Select(e => e.Reason));
    }

    [Fact(Timeout = 60_000)]
    public async Task AuthRegistry_WithImagePullSecret_Pulls()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var image = await fixture.PushBusyboxAsync(fixture.Private, "private/busybox");
        var ns = await fixture.NamespaceAsync("pull");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ImagePullFixture.User}:{ImagePullFixture.Password}"));
        await fixture.Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "regcred" },
            Type = "kubernetes.io/dockerconfigjson",
            Data = new Dictionary<string, byte[]>
            {
                [".dockerconfigjson"] = Encoding.UTF8.GetBytes("{\"auths\":{\"http://" + fixture.Private.Host + "\":{\"auth\":\"" + auth + "\"}}}"),
            },
        }, ns, cancellationToken: timeout.Token);
        var pod = Pod(ns);
        pod.Spec.ImagePullSecrets = [new V1LocalObjectReference { Name = "missing" }, new V1LocalObjectReference { Name = "regcred" }];
        var puller = new ImagePuller(containerd.Cri, fixture.Admin, TimeProvider.System);

        var imageRef = await puller.EnsureImageAsync(pod, Container(image, "IfNotPresent"), containerd.NewSandboxConfig("auth"), timeout.Token);

        Assert.Equal((await containerd.Cri.ImageStatusAsync(image, timeout.Token))!.Id, imageRef);
    }

    [Fact(Timeout = 60_000)]
    public async Task AuthRegistry_WithoutImagePullSecret_FailsWithErrImagePull()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var image = await fixture.PushBusyboxAsync(fixture.Private, "private/busybox");
        var puller = new ImagePuller(containerd.Cri, fixture.Admin, TimeProvider.System);

        var error = await Assert.ThrowsAsync<ImagePullException>(
            () => puller.EnsureImageAsync(Pod(), Container(image, "IfNotPresent"), containerd.NewSandboxConfig("noauth"), timeout.Token));

        Assert.Equal("ErrImagePull", error.Reason);
        Assert.Contains("401 Unauthorized", error.Message, StringComparison.Ordinal);
        Assert.Null(await containerd.Cri.ImageStatusAsync(image, timeout.Token));
    }

    [Fact(Timeout = 60_000)]
    public async Task AuthRegistry_WithWrongPasswordInDockercfgSecret_FailsWithErrImagePull()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var image = await fixture.PushBusyboxAsync(fixture.Private, "private/busybox");
        var ns = await fixture.NamespaceAsync("pull");
        await fixture.Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "wrong" },
            Type = "kubernetes.io/dockercfg",
            Data = new Dictionary<string, byte[]>
            {
                [".dockercfg"] = Encoding.UTF8.GetBytes("{\"" + fixture.Private.Host + "\":{\"username\":\"" + ImagePullFixture.User + "\",\"password\":\"wrong\"}}"),
            },
        }, ns, cancellationToken: timeout.Token);
        var pod = Pod(ns);
        pod.Spec.ImagePullSecrets = [new V1LocalObjectReference { Name = "wrong" }];
        var puller = new ImagePuller(containerd.Cri, fixture.Admin, TimeProvider.System);

        var error = await Assert.ThrowsAsync<ImagePullException>(
            () => puller.EnsureImageAsync(pod, Container(image, "IfNotPresent"), containerd.NewSandboxConfig("wrongpw"), timeout.Token));

        Assert.Equal("ErrImagePull", error.Reason);
        Assert.True(error.Message.Contains("401 Unauthorized", StringComparison.Ordinal), error.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task UppercaseImage_FailsWithInvalidImageName()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var puller = new ImagePuller(containerd.Cri, null, TimeProvider.System);

        var error = await Assert.ThrowsAsync<ImagePullException>(
            () => puller.EnsureImageAsync(Pod(), Container("BusyBox:1", "IfNotPresent"), containerd.NewSandboxConfig("invalid"), timeout.Token));

        Assert.Equal("InvalidImageName", error.Reason);
        Assert.Equal(
            "Failed to apply default image tag \"BusyBox:1\": couldn't parse image name \"BusyBox:1\": invalid reference format: repository name must be lowercase",
            error.Message);
    }

    private static V1Pod Pod(string ns = "default") => new()
    {
        Metadata = new V1ObjectMeta { Name = "puller", NamespaceProperty = ns, Uid = Guid.NewGuid().ToString() },
        Spec = new V1PodSpec { Containers = [] },
    };

    private static V1Container Container(string image, string policy) => new() { Name = "c", Image = image, ImagePullPolicy = policy };
}
