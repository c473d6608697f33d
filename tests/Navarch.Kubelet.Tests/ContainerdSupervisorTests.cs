using System.Runtime.Versioning;
using Navarch.Kubelet.Containerd;

namespace Navarch.Kubelet.Tests;

[SupportedOSPlatform("linux")]
public sealed class ContainerdSupervisorTests
{
    [Fact(Timeout = 30_000)]
    public async Task Start_WhenContainerdExitsEarly_ThrowsWithItsLog()
    {
        var directory = Directory.CreateTempSubdirectory("nvk-").FullName;
        try
        {
            // A stand-in that prints like containerd and exits, as containerd does on a bad config.
            var fake = Path.Combine(directory, "fake-containerd");
            await File.WriteAllTextAsync(fake, "#!/bin/sh\necho \"containerd: failed to load TOML from $2\" >&2\nexit 3\n");
            File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
            var options = new ContainerdOptions { DataDirectory = Path.Combine(directory, "containerd"), ContainerdPath = fake };

            var error = await Assert.ThrowsAsync<ContainerdStartException>(
                () => ContainerdSupervisor.StartAsync(options, CancellationToken.None));

            Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
            Assert.Contains($"failed to load TOML from {options.ConfigPath}", error.Message, StringComparison.Ordinal);
            Assert.Contains("version = 2", await File.ReadAllTextAsync(options.ConfigPath), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
