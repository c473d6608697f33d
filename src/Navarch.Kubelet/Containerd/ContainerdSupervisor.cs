using System.Diagnostics;
using Grpc.Core;
using Navarch.Kubelet.Cri;

namespace Navarch.Kubelet.Containerd;

/// <summary>
/// Runs containerd as a child process with a configuration of our own (root, state, socket and CNI config
/// under one directory), as the agent does unless it is pointed at a runtime already running.
/// Started by <see cref="StartAsync"/>; disposing sends SIGTERM and kills containerd if it does not exit in time.
/// Containers keep running in their shims when containerd stops, as they do under any containerd restart.
/// </summary>
public sealed class ContainerdSupervisor : IAsyncDisposable
{
    private readonly Process _process;

    private ContainerdSupervisor(ContainerdOptions options, string snapshotter, Process process, CriClient client, string version)
    {
        Options = options;
        Snapshotter = snapshotter;
        _process = process;
        Client = client;
        RuntimeVersion = version;
    }

    public ContainerdOptions Options { get; }

    /// <summary>The snapshotter written into the configuration; images must be unpacked for it.</summary>
    public string Snapshotter { get; }

    /// <summary>A CRI client on containerd's socket, owned by the supervisor.</summary>
    public CriClient Client { get; }

    /// <summary>containerd's version as its CRI <c>Version</c> call reported it.</summary>
    public string RuntimeVersion { get; }

    public int ProcessId => _process.Id;

    /// <summary>Writes the configuration, starts containerd and returns once it answers CRI <c>Version</c>.</summary>
    /// <exception cref="ContainerdStartException">containerd exited or did not answer in time; the message carries the end of its log.</exception>
    public static async Task<ContainerdSupervisor> StartAsync(ContainerdOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Directory.CreateDirectory(options.DataDirectory);
        Directory.CreateDirectory(options.RootDirectory);
        Directory.CreateDirectory(options.StateDirectory);
        Directory.CreateDirectory(options.CniConfDirectory);
        var snapshotter = options.Snapshotter ?? SnapshotterProbe.Detect(options.RootDirectory);
        var restrictOomScoreAdj = options.RestrictOomScoreAdj ?? !CapabilityProbe.HasEffective(CapabilityProbe.SysResource);
        await File.WriteAllTextAsync(
            options.ConfigPath, ContainerdConfig.Render(options, snapshotter, restrictOomScoreAdj), cancellationToken).ConfigureAwait(false);
        File.Delete(options.SocketPath);

        // A shell exec appends containerd's output to its log file without a pipe we would have to keep draining;
        // after exec the process id is containerd's own.
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[] { "-c", "exec \"$0\" --config \"$1\" >>\"$2\" 2>&1 </dev/null", options.ContainerdPath, options.ConfigPath, options.LogPath })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new ContainerdStartException($"could not start {options.ContainerdPath}");
        var client = new CriClient(options.SocketPath, new CriClientOptions { CallTimeout = TimeSpan.FromSeconds(2) });
        try
        {
            var version = await WaitForCriAsync(options, process, client, cancellationToken).ConfigureAwait(false);
            client.Dispose();
            return new ContainerdSupervisor(options, snapshotter, process, new CriClient(options.SocketPath), version);
        }
        catch
        {
            client.Dispose();
            await StopAsync(process, options.StopTimeout).ConfigureAwait(false);
            process.Dispose();
            throw;
        }
    }

    /// <summary>The last lines of containerd's log, for error messages.</summary>
    public static string ReadLogTail(string logPath, int lines = 40)
    {
        try
        {
            var all = File.ReadAllLines(logPath);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException)
        {
            return "(no containerd log)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync(_process, Options.StopTimeout).ConfigureAwait(false);
        _process.Dispose();
    }

    private static async Task<string> WaitForCriAsync(ContainerdOptions options, Process process, CriClient client, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        RpcException? last = null;
        while (true)
        {
            if (process.HasExited)
            {
                throw new ContainerdStartException(
                    $"containerd exited with code {process.ExitCode} before serving CRI; log {options.LogPath}:\n{ReadLogTail(options.LogPath)}");
            }

            if (File.Exists(options.SocketPath))
            {
                try
                {
                    var version = await client.VersionAsync(timeout.Token).ConfigureAwait(false);
                    return version.RuntimeVersion;
                }
                catch (RpcException e) when (!timeout.IsCancellationRequested)
                {
                    // The socket appears before the CRI plugin has registered (Unimplemented) or is ready (Unavailable).
                    last = e;
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ContainerdStartException(
                    $"containerd did not answer CRI Version on {options.SocketPath} within {options.StartTimeout.TotalSeconds:0}s" +
                    (last is null ? string.Empty : $" (last error: {last.Status.StatusCode} {last.Status.Detail})") +
                    $"; log {options.LogPath}:\n{ReadLogTail(options.LogPath)}");
            }
        }
    }

    private static async Task StopAsync(Process process, TimeSpan stopTimeout)
    {
        if (process.HasExited)
        {
            return;
        }

        LinuxNative.Kill(process.Id, LinuxNative.SIGTERM);
        using var timeout = new CancellationTokenSource(stopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
