using System.Runtime.InteropServices;
using Navarch.Kubelet.Node;

namespace Navarch.Kubelet.Tests.Node;

public sealed class NodeInfoProbeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "navarch-probe-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private void WriteFile(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public void Probe_ReadsFactsFromTheRoot()
    {
        WriteFile("proc/meminfo", "MemFree:         1000 kB\nMemTotal:       16318224 kB\nBuffers: 1 kB\n");
        WriteFile("proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
        WriteFile("etc/os-release", "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n");
        WriteFile("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        WriteFile("proc/sys/kernel/random/boot_id", "c1f0e1a2-0000-4000-8000-000000000001\n");
        var dataDir = Path.Combine(_root, "data");

        var info = new NodeInfoProbe(_root).Probe(dataDir, "My-Host");

        Assert.Equal("my-host", info.Hostname);
        Assert.Equal(16318224L * 1024, info.MemoryBytes);
        Assert.Equal("6.1.0-13-amd64", info.KernelVersion);
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", info.OsImage);
        Assert.Equal("0123456789abcdef0123456789abcdef", info.MachineId);
        Assert.Equal("0123456789abcdef0123456789abcdef", info.SystemUuid);
        Assert.Equal("c1f0e1a2-0000-4000-8000-000000000001", info.BootId);
        Assert.Equal(Environment.ProcessorCount, info.CpuCount);
        Assert.Equal(110, info.MaxPods);
        Assert.Equal("linux", info.OperatingSystem);
        Assert.Equal(new DriveInfo(dataDir).TotalSize, info.EphemeralStorageBytes);
        Assert.True(info.EphemeralStorageBytes > 0);
        Assert.True(System.Net.IPAddress.TryParse(info.InternalIP, out var ip));
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, ip.AddressFamily);
    }

    [Fact]
    public void Probe_OfThisMachine_ReportsRealMemoryAndKernel()
    {
        var info = new NodeInfoProbe().Probe(Path.Combine(_root, "data"));

        Assert.True(info.MemoryBytes > 64L * 1024 * 1024);
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), info.KernelVersion);
        Assert.NotEqual("", info.BootId);
        Assert.Equal(NodeInfoProbe.ToGoArchitecture(RuntimeInformation.OSArchitecture), info.Architecture);
    }

    [Fact]
    public void Probe_WithMissingFiles_FallsBack()
    {
        Directory.CreateDirectory(_root);

        var info = new NodeInfoProbe(_root).Probe(Path.Combine(_root, "data"), "host");

        Assert.Equal(0, info.MemoryBytes);
        Assert.Equal("Linux", info.OsImage);
        Assert.Equal("", info.MachineId);
    }

    [Theory]
    [InlineData("MemTotal:        2048 kB\n", 2048L * 1024)]
    [InlineData("MemFree: 5 kB\nMemTotal:\t1 kB", 1024L)]
    [InlineData("MemFree: 5 kB\n", 0L)]
    public void ParseMemTotal_ReadsKibibytes(string meminfo, long expected) =>
        Assert.Equal(expected, NodeInfoProbe.ParseMemTotal(meminfo));

    [Theory]
    [InlineData("PRETTY_NAME=\"Ubuntu 24.04 LTS\"", "Ubuntu 24.04 LTS")]
    [InlineData("ID=alpine\nPRETTY_NAME='Alpine Linux v3.20'\n", "Alpine Linux v3.20")]
    [InlineData("PRETTY_NAME=Plain", "Plain")]
    [InlineData("NAME=x", null)]
    public void ParsePrettyName_Unquotes(string osRelease, string? expected) =>
        Assert.Equal(expected, NodeInfoProbe.ParsePrettyName(osRelease));

    [Theory]
    [InlineData(Architecture.X64, "amd64")]
    [InlineData(Architecture.Arm64, "arm64")]
    [InlineData(Architecture.Arm, "arm")]
    public void ToGoArchitecture_UsesGoNames(Architecture architecture, string expected) =>
        Assert.Equal(expected, NodeInfoProbe.ToGoArchitecture(architecture));
}
