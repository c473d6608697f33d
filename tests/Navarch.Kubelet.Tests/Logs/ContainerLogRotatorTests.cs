using System.IO.Compression;
using Microsoft.Extensions.Time.Testing;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Logs;
using Navarch.Kubelet.Tests.Server;

namespace Navarch.Kubelet.Tests.Logs;

/// <summary>Log rotation of real containers: containerd reopens the file, old files are compressed and capped.</summary>
[Collection(ContainerdCollection.Name)]
public sealed class ContainerLogRotatorTests(ContainerdFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(40);

    [Fact(Timeout = 45_000)]
    public async Task Rotate_LogsOverMaxSize_RenamedReopenedCompressedAndCapped()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = await TestPod.RunAsync(fixture, "rotate-" + Guid.NewGuid().ToString("N")[..8], timeout.Token);
        try
        {
            // Numbered lines, so what the rotated files and the live one hold together can be checked for gaps.
            var id = await pod.StartContainerAsync("app", 0, timeout.Token, "sh", "-c", "i=0; while true; do i=$((i+1)); echo n$i; sleep 0.005; done");
            var quiet = await pod.StartContainerAsync("quiet", 0, timeout.Token, "sleep", "3600");
            var log = (await fixture.Cri.ContainerStatusAsync(id, verbose: false, timeout.Token)).Status.LogPath;
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var rotator = new ContainerLogRotator(fixture.Cri, new ContainerLogRotationOptions { MaxSize = 4096, MaxFiles = 3 }, time);

            for (var round = 0; round < 4; round++)
            {
                await UntilAsync(() => File.Exists(log) && new FileInfo(log).Length >= 4096, timeout.Token);
                time.Advance(TimeSpan.FromSeconds(1));
                var rotated = await rotator.RotateAsync(timeout.Token);
                Assert.Contains(id, rotated);
                Assert.DoesNotContain(quiet, rotated);
            }

            // containerd writes to a new live file; two rotated files remain (MaxFiles 3), the older one gzipped.
            await UntilAsync(() => File.Exists(log) && new FileInfo(log).Length > 0, timeout.Token);
            var files = ContainerLogRotator.RotatedFiles(log);
            Assert.Equal(2, files.Count);
            Assert.EndsWith(".gz", files[0], StringComparison.Ordinal);
            Assert.Matches(@"\.\d{8}-\d{6}$", files[1]);

            var older = Numbers(await ReadGzipLinesAsync(files[0]));
            var newer = Numbers(await File.ReadAllLinesAsync(files[1], timeout.Token));
            Assert.Equal(older[^1] + 1, newer[0]);
            Assert.Equal(Enumerable.Range(newer[0], newer.Count), newer);
        }
        finally
        {
            await pod.RemoveAsync();
        }
    }

    [Fact(Timeout = 45_000)]
    public async Task Rotate_ContainerGone_RotatesNothing()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var pod = await TestPod.RunAsync(fixture, "rotate-exited-" + Guid.NewGuid().ToString("N")[..8], timeout.Token);
        try
        {
            var id = await pod.StartContainerAsync("app", 0, timeout.Token, "sh", "-c", "i=0; while [ $i -lt 500 ]; do i=$((i+1)); echo line-$i; done");
            await pod.WaitForStateAsync(id, ContainerState.ContainerExited, timeout.Token);
            var log = (await fixture.Cri.ContainerStatusAsync(id, verbose: false, timeout.Token)).Status.LogPath;
            Assert.True(new FileInfo(log).Length > 1024);

            var rotated = await new ContainerLogRotator(fixture.Cri, new ContainerLogRotationOptions { MaxSize = 1024 }).RotateAsync(timeout.Token);

            // Only running containers are rotated: an exited one's log is its last word for `logs --previous`.
            Assert.DoesNotContain(id, rotated);
            Assert.Empty(ContainerLogRotator.RotatedFiles(log));
        }
        finally
        {
            await pod.RemoveAsync();
        }
    }

    [Fact]
    public void Options_TooFewFiles_Rejected()
    {
        Assert.Throws<ArgumentException>(() => new ContainerLogRotationOptions { MaxFiles = 1 }.Validate());
        Assert.Throws<ArgumentException>(() => new ContainerLogRotationOptions { MaxSize = 0 }.Validate());
    }

    private static List<int> Numbers(IEnumerable<string> criLines) =>
        criLines.Select(line => line[(line.LastIndexOf(' ') + 1)..]).Where(text => text.StartsWith('n')).Select(text => int.Parse(text[1..], System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static async Task<string[]> ReadGzipLinesAsync(string path)
    {
        await using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task UntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
