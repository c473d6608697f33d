using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Navarch.Kubelet.Images;

namespace Navarch.Kubelet.Tests;

public sealed class OciImageWriterTests
{
    [Fact]
    public async Task Write_ProducesImageLayoutWhoseBlobsMatchTheirDigests()
    {
        var layer = new OciLayerBuilder().AddDirectory("bin").AddFile("bin/hello", "hi\n"u8.ToArray(), (UnixFileMode)0b111_101_101).Build();
        var archive = await WriteAsync("example.test/tools/hello:1.2", layer);

        var files = await ReadTarAsync(archive);
        Assert.Equal("""{"imageLayoutVersion":"1.0.0"}""", System.Text.Encoding.UTF8.GetString(files["oci-layout"]));
        foreach (var (name, content) in files.Where(file => file.Key.StartsWith("blobs/sha256/", StringComparison.Ordinal)))
        {
            Assert.Equal(name["blobs/sha256/".Length..], Convert.ToHexStringLower(SHA256.HashData(content)));
        }

        using var index = JsonDocument.Parse(files["index.json"]);
        var entry = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal("example.test/tools/hello:1.2", entry.GetProperty("annotations").GetProperty("io.containerd.image.name").GetString());
        Assert.Equal("1.2", entry.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString());
        Assert.Equal("linux", entry.GetProperty("platform").GetProperty("os").GetString());

        using var manifest = JsonDocument.Parse(Blob(files, entry.GetProperty("digest").GetString()));
        var layerDigest = Assert.Single(manifest.RootElement.GetProperty("layers").EnumerateArray()).GetProperty("digest").GetString();
        Assert.Equal(layer, Blob(files, layerDigest));
        using var config = JsonDocument.Parse(Blob(files, manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()));
        Assert.Equal(layerDigest, Assert.Single(config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray()).GetString());
        Assert.Equal("/bin/hello", Assert.Single(config.RootElement.GetProperty("config").GetProperty("Entrypoint").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Write_SameInputsTwice_GivesIdenticalBytes()
    {
        var layer = BusyboxImages.BuildLayer();

        var first = await WriteAsync("navarch.local/pause:3.10", layer);
        var second = await WriteAsync("navarch.local/pause:3.10", BusyboxImages.BuildLayer());

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Write_ReferenceWithoutTag_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync("example.test:5000/hello", [1, 2, 3]));
    }

    [Fact]
    public async Task BusyboxLayer_HasStaticBusyboxAndAppletLinks()
    {
        var entries = new Dictionary<string, (TarEntryType EntryType, UnixFileMode Mode, long Length, string LinkName)>();
        using (var reader = new TarReader(new MemoryStream(BusyboxImages.BuildLayer())))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                entries[entry.Name] = (entry.EntryType, entry.Mode, entry.Length, entry.LinkName);
            }
        }

        var busybox = entries["bin/busybox"];
        Assert.Equal(TarEntryType.RegularFile, busybox.EntryType);
        Assert.True(busybox.Mode.HasFlag(UnixFileMode.UserExecute));
        Assert.Equal(new FileInfo(BusyboxImages.DefaultBusyboxPath).Length, busybox.Length);
        Assert.Equal(TarEntryType.SymbolicLink, entries["bin/sh"].EntryType);
        Assert.Equal("busybox", entries["bin/sh"].LinkName);
        Assert.True(entries["tmp/"].Mode.HasFlag(UnixFileMode.StickyBit));
    }

    [Fact]
    public void LayerBuilder_PathEscapingRoot_Throws()
    {
        Assert.Throws<ArgumentException>(() => new OciLayerBuilder().AddSymlink("bin/../../etc", "x"));
    }

    private static async Task<byte[]> WriteAsync(string reference, byte[] layer)
    {
        using var output = new MemoryStream();
        await OciImageWriter.WriteAsync(output, reference, [layer], new OciImageConfig { Entrypoint = ["/bin/hello"] }, CancellationToken.None);
        return output.ToArray();
    }

    private static async Task<Dictionary<string, byte[]>> ReadTarAsync(byte[] archive)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new TarReader(new MemoryStream(archive));
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            using var content = new MemoryStream();
            if (entry.DataStream is not null)
            {
                await entry.DataStream.CopyToAsync(content);
            }

            files[entry.Name] = content.ToArray();
        }

        return files;
    }

    private static byte[] Blob(Dictionary<string, byte[]> files, string? digest)
    {
        Assert.NotNull(digest);
        Assert.StartsWith("sha256:", digest, StringComparison.Ordinal);
        return files["blobs/sha256/" + digest["sha256:".Length..]];
    }
}
