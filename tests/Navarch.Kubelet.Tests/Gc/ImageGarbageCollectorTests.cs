using System.Text;
using Microsoft.Extensions.Time.Testing;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Gc;
using Navarch.Kubelet.Images;

namespace Navarch.Kubelet.Tests.Gc;

/// <summary>
/// Unused-image GC against a real containerd. The image filesystem's usage is given by the test (a real disk cannot be
/// filled to 85 % here); which images are present, used and removed is containerd's.
/// </summary>
[Collection(GcCollection.Name)]
public sealed class ImageGarbageCollectorTests(ContainerdFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    private ImageFilesystemUsage _usage = new(100, 50);

    [Fact(Timeout = 60_000)]
    public async Task Collect_AboveHighThreshold_RemovesLeastRecentlyUsedUnusedImagesButNeverUsedOrPause()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gc = NewCollector(time);
        var older = await ImportImageAsync("gc/older:1", timeout.Token);
        var (sandboxId, _) = await CreateContainerUsingBusyboxAsync(timeout.Token);
        await gc.CollectAsync(timeout.Token);
        time.Advance(TimeSpan.FromMinutes(1));
        var newer = await ImportImageAsync("gc/newer:1", timeout.Token);
        await gc.CollectAsync(timeout.Token);
        time.Advance(TimeSpan.FromMinutes(5));

        // 90 % used: 10 bytes must go to get below 80 %, which the least recently used image alone covers.
        _usage = new ImageFilesystemUsage(100, 10);
        var first = await gc.CollectAsync(timeout.Token);
        var afterFirst = await TagsAsync(timeout.Token);
        _usage = new ImageFilesystemUsage(long.MaxValue / 200, 0);
        var second = await gc.CollectAsync(timeout.Token);
        var afterSecond = await TagsAsync(timeout.Token);

        Assert.Equal([older], first.RemovedImages);
        Assert.Empty(first.Errors);
        Assert.DoesNotContain("docker.io/gc/older:1", afterFirst);
        Assert.Contains("docker.io/gc/newer:1", afterFirst);
        Assert.Equal([newer], second.RemovedImages);
        Assert.StartsWith("Failed to garbage collect required amount of images. Attempted to free ", Assert.Single(second.Errors));
        Assert.Contains(BusyboxImages.BusyboxReference, afterSecond);
        Assert.Contains(fixture.Supervisor.Options.SandboxImage, afterSecond);
        await fixture.RemoveSandboxAsync(sandboxId);
    }

    [Fact(Timeout = 60_000)]
    public async Task Collect_BelowHighThreshold_RemovesNothing()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gc = NewCollector(time);
        await ImportImageAsync("gc/below:1", timeout.Token);
        await gc.CollectAsync(timeout.Token);
        time.Advance(TimeSpan.FromMinutes(5));
        _usage = new ImageFilesystemUsage(100, 16);

        var result = await gc.CollectAsync(timeout.Token);

        Assert.Same(GcResult.Empty, result);
        Assert.Contains("docker.io/gc/below:1", await TagsAsync(timeout.Token));
        await fixture.Cri.RemoveImageAsync("docker.io/gc/below:1", timeout.Token);
    }

    [Fact(Timeout = 60_000)]
    public async Task Collect_ImageYoungerThanMinAge_IsKept()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gc = NewCollector(time);
        var id = await ImportImageAsync("gc/young:1", timeout.Token);
        _usage = new ImageFilesystemUsage(100, 5);

        var result = await gc.CollectAsync(timeout.Token);

        Assert.DoesNotContain(id, result.RemovedImages);
        Assert.Contains("docker.io/gc/young:1", await TagsAsync(timeout.Token));
        await fixture.Cri.RemoveImageAsync("docker.io/gc/young:1", timeout.Token);
    }

    private ImageGarbageCollector NewCollector(TimeProvider time) => new(
        fixture.Cri,
        new ImageGcOptions
        {
            SandboxImage = fixture.Supervisor.Options.SandboxImage,
            ImageFilesystemPath = fixture.Supervisor.Options.RootDirectory,
            UsageProbe = _ => Task.FromResult(_usage),
        },
        () => new HashSet<string>(),
        time);

    private async Task<HashSet<string>> TagsAsync(CancellationToken cancellationToken) =>
        (await fixture.Cri.ListImagesAsync(null, cancellationToken)).SelectMany(image => image.RepoTags).ToHashSet();

    /// <summary>Imports a small image of its own (a distinct ID) under <c>docker.io/&lt;name&gt;</c> and returns its ID.</summary>
    private async Task<string> ImportImageAsync(string name, CancellationToken cancellationToken)
    {
        var layer = new OciLayerBuilder().AddFile("marker", Encoding.UTF8.GetBytes(name + Guid.NewGuid()), (UnixFileMode)0b110_100_100).Build();
        var path = Path.Combine(fixture.Directory, Guid.NewGuid().ToString("N") + ".tar");
        await using (var output = File.Create(path))
        {
            await OciImageWriter.WriteAsync(output, "docker.io/" + name, [layer], new OciImageConfig { Cmd = ["sh"] }, cancellationToken);
        }

        await new ContainerdImageImporter(fixture.Supervisor.Options.SocketPath, fixture.Supervisor.Snapshotter).ImportAsync(path, cancellationToken);
        File.Delete(path);
        return (await fixture.Cri.ImageStatusAsync("docker.io/" + name, cancellationToken))!.Id;
    }

    private async Task<(string SandboxId, string ContainerId)> CreateContainerUsingBusyboxAsync(CancellationToken cancellationToken)
    {
        var sandbox = fixture.NewSandboxConfig("gc-images");
        var sandboxId = await fixture.Cri.RunPodSandboxAsync(sandbox, string.Empty, cancellationToken);
        var containerId = await fixture.Cri.CreateContainerAsync(sandboxId, ContainerdFixture.NewContainerConfig(sandbox, "uses-busybox", "true"), sandbox, cancellationToken);
        return (sandboxId, containerId);
    }
}
