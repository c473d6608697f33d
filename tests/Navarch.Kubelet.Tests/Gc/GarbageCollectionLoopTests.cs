using Microsoft.Extensions.Time.Testing;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Gc;

namespace Navarch.Kubelet.Tests.Gc;

[Collection(GcCollection.Name)]
public sealed class GarbageCollectionLoopTests(ContainerdFixture fixture)
{
    [Fact(Timeout = 60_000)]
    public async Task Run_AfterOneContainerPeriod_RemovesDeadContainersOfGonePods()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        var sandbox = fixture.NewSandboxConfig("gc-loop");
        var sandboxId = await fixture.Cri.RunPodSandboxAsync(sandbox, string.Empty, timeout.Token);
        var containerId = await fixture.Cri.CreateContainerAsync(sandboxId, ContainerdFixture.NewContainerConfig(sandbox, "app", "true"), sandbox, timeout.Token);
        await fixture.Cri.StopPodSandboxAsync(sandboxId, timeout.Token);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var live = () => (IReadOnlySet<string>)new HashSet<string>();
        var loop = new GarbageCollectionLoop(
            new ContainerGarbageCollector(fixture.Cri, new ContainerGcOptions(), live, time),
            new ImageGarbageCollector(fixture.Cri, new ImageGcOptions
            {
                SandboxImage = fixture.Supervisor.Options.SandboxImage,
                ImageFilesystemPath = fixture.Supervisor.Options.RootDirectory,
                UsageProbe = _ => Task.FromResult(new ImageFilesystemUsage(100, 50)),
            }, live, time),
            time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var run = loop.RunAsync(stop.Token);

        var before = await fixture.Cri.ListContainersAsync(new ContainerFilter { Id = containerId }, timeout.Token);
        time.Advance(GarbageCollectionLoop.ContainerPeriod);
        // The pass removes the container, then its sandbox; stopping earlier would cancel the second removal.
        while ((await fixture.Cri.ListPodSandboxAsync(new PodSandboxFilter { Id = sandboxId }, timeout.Token)).Count > 0)
        {
            await Task.Delay(50, timeout.Token);
        }

        await stop.CancelAsync();
        await run;
        Assert.Single(before);
        Assert.Empty(await fixture.Cri.ListContainersAsync(new ContainerFilter { Id = containerId }, timeout.Token));
    }
}
