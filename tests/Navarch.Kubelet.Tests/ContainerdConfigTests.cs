using Navarch.Kubelet.Containerd;
using Navarch.Kubelet.Images;

namespace Navarch.Kubelet.Tests;

public sealed class ContainerdConfigTests
{
    [Fact]
    public void Render_PutsEverythingUnderTheDataDirectory()
    {
        var options = new ContainerdOptions { DataDirectory = "/var/lib/navarch/containerd" };

        var toml = ContainerdConfig.Render(options, SnapshotterProbe.Native, restrictOomScoreAdj: true);

        Assert.StartsWith("version = 2\n", toml, StringComparison.Ordinal);
        Assert.Contains("root = \"/var/lib/navarch/containerd/root\"", toml, StringComparison.Ordinal);
        Assert.Contains("state = \"/var/lib/navarch/containerd/state\"", toml, StringComparison.Ordinal);
        Assert.Contains("[grpc]\n  address = \"/var/lib/navarch/containerd/containerd.sock\"", toml, StringComparison.Ordinal);
        Assert.Contains("[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = \"navarch.local/pause:3.10\"", toml, StringComparison.Ordinal);
        Assert.Contains("  restrict_oom_score_adj = true", toml, StringComparison.Ordinal);
        Assert.Contains("  snapshotter = \"native\"", toml, StringComparison.Ordinal);
        Assert.Contains("  Root = \"/var/lib/navarch/containerd/state/runc\"", toml, StringComparison.Ordinal);
        Assert.Contains("  bin_dir = \"/usr/lib/cni\"\n  conf_dir = \"/var/lib/navarch/containerd/cni/net.d\"", toml, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_EscapesTomlSpecialCharacters()
    {
        Assert.Equal("\"a\\\"b\\\\c\\n\\u0001\"", ContainerdConfig.Quote("a\"b\\c\n\u0001"));
    }

    [Fact]
    public void Validate_SocketPathTooLongForUnixSocket_Throws()
    {
        var options = new ContainerdOptions { DataDirectory = "/" + new string('d', 100) };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("too long", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RelativeDirectory_Throws()
    {
        Assert.Throws<ArgumentException>(new ContainerdOptions { DataDirectory = "data/containerd" }.Validate);
    }

    [Fact]
    public void ElfInspector_TellsStaticBusyboxFromDynamicDotnet()
    {
        Assert.False(ElfInspector.HasInterpreter(File.ReadAllBytes(BusyboxImages.DefaultBusyboxPath)));
        Assert.True(ElfInspector.HasInterpreter(File.ReadAllBytes(Environment.ProcessPath ?? "/usr/bin/dotnet")));
    }
}
