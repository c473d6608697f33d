using Navarch.Kubelet.Containerd;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Images;

namespace Navarch.Kubelet.Tests;

/// <summary>
/// One real containerd for the collection, in a temporary directory, with the busybox and pause images imported.
/// Fails (never skips) when containerd cannot start, so a broken runtime shows up as a failed test with its log.
/// </summary>
public sealed class ContainerdFixture : IAsyncLifetime
{
    private ContainerdSupervisor? _supervisor;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("nvk-").FullName;

    public ContainerdSupervisor Supervisor => _supervisor ?? throw new InvalidOperationException("containerd is not started");

    public CriClient Cri => Supervisor.Client;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        _supervisor = await ContainerdSupervisor.StartAsync(
            new ContainerdOptions { DataDirectory = Path.Combine(Directory, "containerd") }, timeout.Token);

        var layer = BusyboxImages.BuildLayer();
        var importer = new ContainerdImageImporter(_supervisor.Options.SocketPath, _supervisor.Snapshotter);
        var busybox = Path.Combine(Directory, "busybox.tar");
        await using (var output = File.Create(busybox))
        {
            await BusyboxImages.WriteBusyboxAsync(output, layer, timeout.Token);
        }

        var pause = Path.Combine(Directory, "pause.tar");
        await using (var output = File.Create(pause))
        {
            await BusyboxImages.WritePauseAsync(output, layer, _supervisor.Options.SandboxImage, timeout.Token);
        }

        await importer.ImportAsync(busybox, timeout.Token);
        await importer.ImportAsync(pause, timeout.Token);
    }

    /// <summary>A fresh host-network sandbox config with its log directory created, as the kubelet prepares it.</summary>
    public PodSandboxConfig NewSandboxConfig(string name)
    {
        var uid = Guid.NewGuid().ToString();
        var logDirectory = Path.Combine(Directory, "pods", $"default_{name}_{uid}");
        System.IO.Directory.CreateDirectory(logDirectory);
        return new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Namespace = "default", Uid = uid },
            LogDirectory = logDirectory,
            Linux = new LinuxPodSandboxConfig
            {
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Node },
                },
            },
        };
    }

    /// <summary>A container config for busybox whose log goes to <c>&lt;name&gt;/0.log</c> under the sandbox's log directory.</summary>
    public static ContainerConfig NewContainerConfig(PodSandboxConfig sandbox, string name, params string[] command)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(sandbox.LogDirectory, name));
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = "busybox" },
            LogPath = Path.Combine(name, "0.log"),
            Linux = new LinuxContainerConfig
            {
                SecurityContext = new LinuxContainerSecurityContext
                {
                    NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Node, Pid = NamespaceMode.Container },
                },
            },
        };
        config.Command.AddRange(command);
        return config;
    }

    /// <summary>Stops and removes a sandbox and everything in it.</summary>
    public async Task RemoveSandboxAsync(string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Cri.StopPodSandboxAsync(id, timeout.Token);
        await Cri.RemovePodSandboxAsync(id, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_supervisor is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                foreach (var sandbox in await Cri.ListPodSandboxAsync(null, timeout.Token))
                {
                    await RemoveSandboxAsync(sandbox.Id);
                }
            }
            finally
            {
                await _supervisor.DisposeAsync();
            }
        }

        MountCleanup.UnmountUnder(Directory);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Something still mounted; leaving a temp directory behind is better than failing every test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
