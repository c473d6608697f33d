using System.Text.Json.Nodes;
using Navarch.Kubelet.Node;

namespace Navarch.Kubelet.Tests.Node;

public sealed class CniConfigWriterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "navarch-cni-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    internal static void AssertExpectedConfig(string json, string podCidr, string ipamDir)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        Assert.Equal("1.0.0", (string?)root["cniVersion"]);
        Assert.Equal("navarch", (string?)root["name"]);
        var plugins = root["plugins"]!.AsArray();
        Assert.Equal(2, plugins.Count);

        var bridge = plugins[0]!;
        Assert.Equal("bridge", (string?)bridge["type"]);
        Assert.Equal("cni0", (string?)bridge["bridge"]);
        Assert.True((bool?)bridge["isGateway"]);
        Assert.True((bool?)bridge["ipMasq"]);
        Assert.True((bool?)bridge["hairpinMode"]);
        var ipam = bridge["ipam"]!;
        Assert.Equal("host-local", (string?)ipam["type"]);
        Assert.Equal(podCidr, (string?)ipam["ranges"]![0]![0]!["subnet"]);
        Assert.Equal("0.0.0.0/0", (string?)ipam["routes"]![0]!["dst"]);
        Assert.Equal(ipamDir, (string?)ipam["dataDir"]);

        var portmap = plugins[1]!;
        Assert.Equal("portmap", (string?)portmap["type"]);
        Assert.True((bool?)portmap["capabilities"]!["portMappings"]);
        Assert.True((bool?)portmap["snat"]);
    }

    [Fact]
    public async Task Write_CreatesConflistWithThePodCidr()
    {
        var ipamDir = Path.Combine(_dir, "networks");
        var writer = new CniConfigWriter(Path.Combine(_dir, "net.d"), ipamDir);

        Assert.True(await writer.WriteAsync("10.42.3.0/24", CancellationToken.None));

        Assert.Equal(Path.Combine(_dir, "net.d", "10-navarch.conflist"), writer.ConfigPath);
        AssertExpectedConfig(await File.ReadAllTextAsync(writer.ConfigPath), "10.42.3.0/24", ipamDir);
        Assert.Equal(["10-navarch.conflist"], Directory.GetFiles(writer.ConfDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Write_WithSameContent_DoesNotRewrite()
    {
        var writer = new CniConfigWriter(_dir, Path.Combine(_dir, "networks"));
        await writer.WriteAsync("10.42.3.0/24", CancellationToken.None);
        var written = File.GetLastWriteTimeUtc(writer.ConfigPath);
        File.SetLastWriteTimeUtc(writer.ConfigPath, written.AddMinutes(-5));

        Assert.False(await writer.WriteAsync("10.42.3.0/24", CancellationToken.None));

        Assert.Equal(written.AddMinutes(-5), File.GetLastWriteTimeUtc(writer.ConfigPath));
    }

    [Fact]
    public async Task Write_WithDifferentContent_Replaces()
    {
        var writer = new CniConfigWriter(_dir, Path.Combine(_dir, "networks"));
        Directory.CreateDirectory(_dir);
        await File.WriteAllTextAsync(writer.ConfigPath, "{}");

        Assert.True(await writer.WriteAsync("10.42.7.0/24", CancellationToken.None));

        AssertExpectedConfig(await File.ReadAllTextAsync(writer.ConfigPath), "10.42.7.0/24", Path.Combine(_dir, "networks"));
    }

    [Fact]
    public void Render_WithInvalidCidr_Throws() =>
        Assert.Throws<ArgumentException>(() => CniConfigWriter.Render("10.42.0.0/33", "/tmp/x"));
}
