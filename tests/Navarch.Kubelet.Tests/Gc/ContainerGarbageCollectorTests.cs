using Microsoft.Extensions.Time.Testing;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Gc;

namespace Navarch.Kubelet.Tests.Gc;

/// <summary>Dead-container and sandbox GC against a real containerd.</summary>
[Collection(GcCollection.Name)]
public sealed class ContainerGarbageCollectorTests(ContainerdFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 60_000)]
    public async Task Collect_LivePod_KeepsNewestExitedContainerPerNameAndRunningOnes()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var (sandboxId, config) = await RunSandboxAsync("gc-live", timeout.Token);
        var exited = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            exited.Add(await RunToExitAsync(sandboxId, config, "app", timeout.Token));
        }

        var other = await RunToExitAsync(sandboxId, config, "sidecar", timeout.Token);
        var running = await StartAsync(sandboxId, config, "app", ["sleep", "600"], timeout.Token);
        var gc = new ContainerGarbageCollector(fixture.Cri, new ContainerGcOptions(), () => new HashSet<string> { config.Metadata.Uid }, TimeProvider.System);
        // Files log rotation left beside attempt 0's log go with it.
        var rotatedLog = Path.Combine(config.LogDirectory, "app", "0.log.20260101-000000.gz");
        await File.WriteAllTextAsync(rotatedLog, "old", timeout.Token);

        var result = await gc.CollectAsync(timeout.Token);

        // Only this test's containers are looked at: the collection's containerd may hold others' leftovers.
        Assert.Empty(result.Errors);
        Assert.Equal(exited.Take(2).Order(), result.RemovedContainers.Intersect([.. exited, other, running]).Order());
        Assert.DoesNotContain(sandboxId, result.RemovedSandboxes);
        var remaining = (await fixture.Cri.ListContainersAsync(new ContainerFilter { PodSandboxId = sandboxId }, timeout.Token)).Select(c => c.Id).ToList();
        Assert.Equal(new[] { exited[2], other, running }.Order(), remaining.Order());
        // Attempts 0 and 1 of "app" went with their logs; attempt 2 (the newest exited) keeps its log.
        Assert.False(File.Exists(Path.Combine(config.LogDirectory, "app", "0.log")));
        Assert.False(File.Exists(rotatedLog));
        Assert.False(File.Exists(Path.Combine(config.LogDirectory, "app", "1.log")));
        Assert.True(File.Exists(Path.Combine(config.LogDirectory, "app", "2.log")));
        await fixture.RemoveSandboxAsync(sandboxId);
    }

    [Fact(Timeout = 60_000)]
    public async Task Collect_PodNoLongerOnNode_RemovesItsExitedContainersAndStoppedSandbox()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var (sandboxId, config) = await RunSandboxAsync("gc-gone", timeout.Token);
        var first = await RunToExitAsync(sandboxId, config, "app", timeout.Token);
        var second = await RunToExitAsync(sandboxId, config, "app", timeout.Token);
        await fixture.Cri.StopPodSandboxAsync(sandboxId, timeout.Token);
        var logsRoot = Path.GetDirectoryName(config.LogDirectory)!;
        var unrelated = Directory.CreateDirectory(Path.Combine(logsRoot, "default_still-here_" + Guid.NewGuid())).FullName;
        var gc = new ContainerGarbageCollector(
            fixture.Cri, new ContainerGcOptions { PodLogsDirectory = logsRoot }, () => new HashSet<string> { Path.GetFileName(unrelated)[^36..] }, TimeProvider.System);

        var result = await gc.CollectAsync(timeout.Token);

        Assert.Empty(result.Errors);
        Assert.Contains(first, result.RemovedContainers);
        Assert.Contains(second, result.RemovedContainers);
        Assert.Contains(sandboxId, result.RemovedSandboxes);
        Assert.DoesNotContain(await fixture.Cri.ListPodSandboxAsync(null, timeout.Token), s => s.Id == sandboxId);
        Assert.False(Directory.Exists(config.LogDirectory));
        Assert.True(Directory.Exists(unrelated));
    }

    [Fact(Timeout = 60_000)]
    public async Task Collect_ContainersYoungerThanMinAge_AreKept()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var (sandboxId, config) = await RunSandboxAsync("gc-young", timeout.Token);
        var first = await RunToExitAsync(sandboxId, config, "app", timeout.Token);
        await RunToExitAsync(sandboxId, config, "app", timeout.Token);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gc = new ContainerGarbageCollector(
            fixture.Cri, new ContainerGcOptions { MinAge = TimeSpan.FromMinutes(1) }, () => new HashSet<string> { config.Metadata.Uid }, time);

        var young = await gc.CollectAsync(timeout.Token);
        time.Advance(TimeSpan.FromMinutes(2));
        var old = await gc.CollectAsync(timeout.Token);

        Assert.DoesNotContain(first, young.RemovedContainers);
        Assert.Contains(first, old.RemovedContainers);
        await fixture.RemoveSandboxAsync(sandboxId);
    }

    private async Task<(string Id, PodSandboxConfig Config)> RunSandboxAsync(string name, CancellationToken cancellationToken)
    {
        var config = fixture.NewSandboxConfig(name);
        config.Labels["io.kubernetes.pod.uid"] = config.Metadata.Uid;
        return (await fixture.Cri.RunPodSandboxAsync(config, string.Empty, cancellationToken), config);
    }

    private async Task<string> StartAsync(string sandboxId, PodSandboxConfig sandbox, string name, string[] command, CancellationToken cancellationToken)
    {
        var config = ContainerdFixture.NewContainerConfig(sandbox, name, command);
        config.Labels["io.kubernetes.pod.uid"] = sandbox.Metadata.Uid;
        config.Labels["io.kubernetes.container.name"] = name;
        // Each attempt gets its own metadata attempt, as restarts do; containerd refuses two containers with one name.
        config.Metadata.Attempt = (uint)(await fixture.Cri.ListContainersAsync(new ContainerFilter { PodSandboxId = sandboxId }, cancellationToken)).Count;
        config.LogPath = Path.Combine(name, $"{config.Metadata.Attempt}.log");
        var id = await fixture.Cri.CreateContainerAsync(sandboxId, config, sandbox, cancellationToken);
        await fixture.Cri.StartContainerAsync(id, cancellationToken);
        return id;
    }

    private async Task<string> RunToExitAsync(string sandboxId, PodSandboxConfig sandbox, string name, CancellationToken cancellationToken)
    {
        var id = await StartAsync(sandboxId, sandbox, name, ["true"], cancellationToken);
        while ((await fixture.Cri.ContainerStatusAsync(id, false, cancellationToken)).Status.State != ContainerState.ContainerExited)
        {
            await Task.Delay(50, cancellationToken);
        }

        // Creation times are in nanoseconds, but keep the order unambiguous.
        await Task.Delay(10, cancellationToken);
        return id;
    }
}
