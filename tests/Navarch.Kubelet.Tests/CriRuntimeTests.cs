using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Tests;

/// <summary>CRI calls against a real containerd running real containers.</summary>
[Collection(ContainerdCollection.Name)]
public sealed partial class CriRuntimeTests(ContainerdFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 30_000)]
    public async Task Version_ReportsContainerdAndCriV1()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);

        var version = await fixture.Cri.VersionAsync(timeout.Token);

        Assert.Equal("containerd", version.RuntimeName);
        Assert.Matches(@"^v?\d+\.\d+", version.RuntimeVersion);
        Assert.Equal("v1", version.RuntimeApiVersion);
    }

    [Fact(Timeout = 30_000)]
    public async Task Status_ReportsRuntimeReady()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);

        var status = await fixture.Cri.StatusAsync(verbose: false, timeout.Token);

        var runtimeReady = Assert.Single(status.Status.Conditions, condition => condition.Type == "RuntimeReady");
        Assert.True(runtimeReady.Status, $"{runtimeReady.Reason}: {runtimeReady.Message}");
    }

    [Fact(Timeout = 30_000)]
    public async Task RuntimeReadiness_WithoutCniConfig_ReportsNetworkNotReady()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);

        // The collection's containerd runs host-network pods only and never gets a CNI config.
        var problem = await new Navarch.Kubelet.Node.RuntimeReadiness(fixture.Cri).ProblemAsync(timeout.Token);

        Assert.NotNull(problem);
        Assert.StartsWith("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:", problem, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ImageStatus_FindsImportedImagesByShortAndFullName()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);

        var busybox = await fixture.Cri.ImageStatusAsync("busybox", timeout.Token);
        var pause = await fixture.Cri.ImageStatusAsync(fixture.Supervisor.Options.SandboxImage, timeout.Token);
        var missing = await fixture.Cri.ImageStatusAsync("docker.io/library/not-imported:1.0", timeout.Token);

        Assert.NotNull(busybox);
        Assert.Contains("docker.io/library/busybox:latest", busybox.RepoTags);
        Assert.True(busybox.Size > 1_000_000, $"busybox image size {busybox.Size}");
        Assert.NotNull(pause);
        Assert.Contains(fixture.Supervisor.Options.SandboxImage, pause.RepoTags);
        Assert.Null(missing);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListImages_IncludesBusyboxAndPause()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);

        var tags = (await fixture.Cri.ListImagesAsync(null, timeout.Token)).SelectMany(image => image.RepoTags).ToList();

        Assert.Contains("docker.io/library/busybox:latest", tags);
        Assert.Contains(fixture.Supervisor.Options.SandboxImage, tags);
    }

    [Fact(Timeout = 30_000)]
    public async Task Container_RunsToCompletion_ExitsZeroAndWritesCriLog()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var sandboxConfig = fixture.NewSandboxConfig("hello");
        var sandboxId = await fixture.Cri.RunPodSandboxAsync(sandboxConfig, string.Empty, timeout.Token);
        try
        {
            var sandbox = await fixture.Cri.PodSandboxStatusAsync(sandboxId, verbose: false, timeout.Token);
            Assert.Equal(PodSandboxState.SandboxReady, sandbox.Status.State);

            var config = ContainerdFixture.NewContainerConfig(sandboxConfig, "hello", "sh", "-c", "echo hello-from-navarch");
            var containerId = await fixture.Cri.CreateContainerAsync(sandboxId, config, sandboxConfig, timeout.Token);
            await fixture.Cri.StartContainerAsync(containerId, timeout.Token);

            var status = await WaitForStateAsync(containerId, ContainerState.ContainerExited, timeout.Token);
            Assert.Equal(0, status.ExitCode);
            Assert.Equal("Completed", status.Reason);
            var logPath = Path.Combine(sandboxConfig.LogDirectory, "hello", "0.log");
            Assert.Equal(logPath, status.LogPath);
            var lines = await File.ReadAllLinesAsync(logPath, timeout.Token);
            var line = Assert.Single(lines);
            Assert.Matches(CriLogLine(), line);
            Assert.EndsWith(" stdout F hello-from-navarch", line, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.RemoveSandboxAsync(sandboxId);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Container_FailingCommand_ReportsItsExitCode()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var sandboxConfig = fixture.NewSandboxConfig("failing");
        var sandboxId = await fixture.Cri.RunPodSandboxAsync(sandboxConfig, string.Empty, timeout.Token);
        try
        {
            var config = ContainerdFixture.NewContainerConfig(sandboxConfig, "fail", "sh", "-c", "echo oops >&2; exit 7");
            var containerId = await fixture.Cri.CreateContainerAsync(sandboxId, config, sandboxConfig, timeout.Token);
            await fixture.Cri.StartContainerAsync(containerId, timeout.Token);

            var status = await WaitForStateAsync(containerId, ContainerState.ContainerExited, timeout.Token);

            Assert.Equal(7, status.ExitCode);
            Assert.Equal("Error", status.Reason);
            var line = Assert.Single(await File.ReadAllLinesAsync(status.LogPath, timeout.Token));
            Assert.EndsWith(" stderr F oops", line, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.RemoveSandboxAsync(sandboxId);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ExecSync_InRunningContainer_ReturnsOutputAndExitCode()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var sandboxConfig = fixture.NewSandboxConfig("exec");
        var sandboxId = await fixture.Cri.RunPodSandboxAsync(sandboxConfig, string.Empty, timeout.Token);
        try
        {
            var containerId = await StartSleeperAsync(sandboxConfig, sandboxId, timeout.Token);

            var result = await fixture.Cri.ExecSyncAsync(
                containerId, ["sh", "-c", "echo out-$((6*7)); echo err >&2; exit 3"], TimeSpan.FromSeconds(10), timeout.Token);

            Assert.Equal("out-42\n", Encoding.UTF8.GetString(result.Stdout.Span));
            Assert.Equal("err\n", Encoding.UTF8.GetString(result.Stderr.Span));
            Assert.Equal(3, result.ExitCode);
        }
        finally
        {
            await fixture.RemoveSandboxAsync(sandboxId);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task StopAndRemove_RunningContainerAndSandbox_LeavesNothingListed()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var sandboxConfig = fixture.NewSandboxConfig("stop");
        var sandboxId = await fixture.Cri.RunPodSandboxAsync(sandboxConfig, string.Empty, timeout.Token);
        var containerId = await StartSleeperAsync(sandboxConfig, sandboxId, timeout.Token);
        var inSandbox = new ContainerFilter { PodSandboxId = sandboxId };
        Assert.Single(await fixture.Cri.ListContainersAsync(inSandbox, timeout.Token));

        // sleep as PID 1 ignores SIGTERM, so this also proves the grace period ends in SIGKILL.
        await fixture.Cri.StopContainerAsync(containerId, TimeSpan.FromSeconds(1), timeout.Token);
        var stopped = await fixture.Cri.ContainerStatusAsync(containerId, verbose: false, timeout.Token);
        Assert.Equal(ContainerState.ContainerExited, stopped.Status.State);
        await fixture.Cri.RemoveContainerAsync(containerId, timeout.Token);
        await fixture.Cri.StopPodSandboxAsync(sandboxId, timeout.Token);
        await fixture.Cri.RemovePodSandboxAsync(sandboxId, timeout.Token);

        Assert.Empty(await fixture.Cri.ListContainersAsync(inSandbox, timeout.Token));
        Assert.DoesNotContain(await fixture.Cri.ListPodSandboxAsync(null, timeout.Token), sandbox => sandbox.Id == sandboxId);
        var gone = await Assert.ThrowsAsync<RpcException>(() => fixture.Cri.ContainerStatusAsync(containerId, verbose: false, timeout.Token));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        // As CRI requires, removing again is not an error.
        await fixture.Cri.RemoveContainerAsync(containerId, timeout.Token);
        await fixture.Cri.RemovePodSandboxAsync(sandboxId, timeout.Token);
    }

    /// <summary>Polls ContainerStatus until the state is reached; the token bounds the wait.</summary>
    [Fact(Timeout = 30_000)]
    public async Task StreamingCalls_ReturnOneTimeUrlsOnTheLoopbackStreamingServer()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var sandboxConfig = fixture.NewSandboxConfig("streaming");
        var sandboxId = await fixture.Cri.RunPodSandboxAsync(sandboxConfig, string.Empty, timeout.Token);
        try
        {
            var containerId = await StartSleeperAsync(sandboxConfig, sandboxId, timeout.Token);

            var exec = await fixture.Cri.ExecAsync(containerId, ["true"], tty: false, stdin: false, stdout: true, stderr: true, timeout.Token);
            var attach = await fixture.Cri.AttachAsync(containerId, tty: false, stdin: false, stdout: true, stderr: true, timeout.Token);
            var forward = await fixture.Cri.PortForwardAsync(sandboxId, [80], timeout.Token);

            foreach (var url in new[] { exec, attach, forward })
            {
                Assert.Equal("http", url.Scheme);
                Assert.True(IPAddress.IsLoopback(IPAddress.Parse(url.Host)), url.ToString());
            }

            Assert.StartsWith("/exec/", exec.AbsolutePath, StringComparison.Ordinal);
            Assert.StartsWith("/attach/", attach.AbsolutePath, StringComparison.Ordinal);
            Assert.StartsWith("/portforward/", forward.AbsolutePath, StringComparison.Ordinal);
            Assert.NotEqual(exec, await fixture.Cri.ExecAsync(containerId, ["true"], false, false, true, false, timeout.Token));
        }
        finally
        {
            await fixture.RemoveSandboxAsync(sandboxId);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Stats_ReportRunningContainerUsageAndImageFilesystem()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var sandboxConfig = fixture.NewSandboxConfig("stats");
        var sandboxId = await fixture.Cri.RunPodSandboxAsync(sandboxConfig, string.Empty, timeout.Token);
        try
        {
            var containerId = await StartSleeperAsync(sandboxConfig, sandboxId, timeout.Token);

            var one = await fixture.Cri.ContainerStatsAsync(containerId, timeout.Token);
            var listed = await fixture.Cri.ListContainerStatsAsync(new ContainerStatsFilter { PodSandboxId = sandboxId }, timeout.Token);
            var imageFs = await fixture.Cri.ImageFsInfoAsync(timeout.Token);

            Assert.Equal(containerId, one.Attributes.Id);
            Assert.Equal("sleeper", one.Attributes.Metadata.Name);
            Assert.True(one.Memory.WorkingSetBytes.Value > 0);
            Assert.NotNull(one.Cpu.UsageCoreNanoSeconds);
            Assert.Equal(containerId, Assert.Single(listed).Attributes.Id);
            var filesystem = Assert.Single(imageFs);
            Assert.StartsWith(fixture.Directory, filesystem.FsId.Mountpoint, StringComparison.Ordinal);
            // containerd refreshes the usage in the background, so right after start it may still read zero.
            Assert.NotNull(filesystem.UsedBytes);
        }
        finally
        {
            await fixture.RemoveSandboxAsync(sandboxId);
        }
    }

    /// <summary>Creates and starts a <c>sleep 3600</c> container in the sandbox and waits until it runs.</summary>
    private async Task<string> StartSleeperAsync(PodSandboxConfig sandboxConfig, string sandboxId, CancellationToken cancellationToken)
    {
        var config = ContainerdFixture.NewContainerConfig(sandboxConfig, "sleeper", "sleep", "3600");
        var containerId = await fixture.Cri.CreateContainerAsync(sandboxId, config, sandboxConfig, cancellationToken);
        await fixture.Cri.StartContainerAsync(containerId, cancellationToken);
        await WaitForStateAsync(containerId, ContainerState.ContainerRunning, cancellationToken);
        return containerId;
    }

    private async Task<ContainerStatus> WaitForStateAsync(string containerId, ContainerState state, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = (await fixture.Cri.ContainerStatusAsync(containerId, verbose: false, cancellationToken)).Status;
            if (status.State == state)
            {
                return status;
            }

            Assert.False(
                status.State == ContainerState.ContainerExited,
                $"container exited (code {status.ExitCode}, {status.Reason}: {status.Message}) while waiting for {state}");
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>The CRI log format: RFC 3339 nanosecond timestamp, stream, P(artial) or F(ull), content.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}) (stdout|stderr) [PF] ")]
    private static partial Regex CriLogLine();
}
