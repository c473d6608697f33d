using System.IO.Compression;
using System.Text;
using Navarch.Kubelet.Images;

namespace Navarch.Kubelet.Tests.Images;

/// <summary>Importing image tarballs (OCI, docker-archive, gzip) into a real containerd, directly and through <c>navarch image</c>.</summary>
[Collection(ImagePullCollection.Name)]
public sealed class ImageImportTests(ContainerdFixture containerd, ImagePullFixture fixture)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 60_000)]
    public async Task Import_GzipOciTarball_IsImported()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var name = "docker.io/test/gzipped:" + Tag();
        var tar = await WriteImageAsync(name, timeout.Token);
        var gz = tar + ".gz";
        await using (var input = File.OpenRead(tar))
        await using (var output = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
        {
            await input.CopyToAsync(output, timeout.Token);
        }

        var imported = await Importer().ImportAsync(gz, timeout.Token);

        Assert.Equal([name], imported);
        Assert.NotNull(await containerd.Cri.ImageStatusAsync(name, timeout.Token));
    }

    [Fact(Timeout = 60_000)]
    public async Task Import_DockerArchive_IsImported()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var name = "docker.io/test/docker-archive:" + Tag();
        var archive = Path.Combine(containerd.Directory, Tag() + "-docker.tar");
        await ToolRunner.RunCheckedAsync(
            "skopeo", ["--insecure-policy", "copy", "oci-archive:" + fixture.BusyboxArchive, $"docker-archive:{archive}:{name}"], TimeSpan.FromSeconds(60));

        await Importer().ImportAsync(archive, timeout.Token);

        var image = await containerd.Cri.ImageStatusAsync(name, timeout.Token);
        Assert.NotNull(image);
        Assert.Contains(name, image.RepoTags);
    }

    [Fact]
    public void Find_TakesTarTarGzAndTgzInNameOrder()
    {
        var directory = Directory.CreateTempSubdirectory("nvimg-").FullName;
        try
        {
            foreach (var file in new[] { "b.tar", "a.tar.gz", "c.tgz", "notes.txt", "d.tar.zst" })
            {
                File.WriteAllText(Path.Combine(directory, file), string.Empty);
            }

            Assert.Equal(["a.tar.gz", "b.tar", "c.tgz"], ImageTarballs.Find(directory).Select(Path.GetFileName));
            Assert.Empty(ImageTarballs.Find(Path.Combine(directory, "missing")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Cli_ImportLsRm_ManageTheNodesImages()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var name = "docker.io/test/cli:" + Tag();
        var tar = await WriteImageAsync(name, timeout.Token);
        var endpoint = "unix://" + containerd.Supervisor.Options.SocketPath;

        var import = await NavarchCli.RunAsync("image", "import", "--container-runtime-endpoint", endpoint, "--snapshotter", containerd.Supervisor.Snapshotter, tar);
        var list = await NavarchCli.RunAsync("image", "ls", "--container-runtime-endpoint", endpoint);
        var remove = await NavarchCli.RunAsync("image", "rm", "--container-runtime-endpoint", endpoint, name);
        var removeAgain = await NavarchCli.RunAsync("image", "rm", "--container-runtime-endpoint", endpoint, name);

        Assert.True(import.ExitCode == 0, import.Output);
        Assert.Contains($"Imported {name}", import.Output);
        Assert.True(list.ExitCode == 0, list.Output);
        var lines = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^IMAGE +TAG +IMAGE ID +SIZE$", lines[0]);
        Assert.Contains(lines, line => System.Text.RegularExpressions.Regex.IsMatch(line, $"^docker.io/test/cli +{name.Split(':')[1]} +[0-9a-f]{{13}} +[0-9.]+k?B$"));
        Assert.Contains(lines, line => line.StartsWith("docker.io/library/busybox ", StringComparison.Ordinal));
        Assert.True(remove.ExitCode == 0, remove.Output);
        Assert.Contains($"Deleted: {name}", remove.Output);
        Assert.Null(await containerd.Cri.ImageStatusAsync(name, timeout.Token));
        Assert.Equal(1, removeAgain.ExitCode);
        Assert.Contains($"no such image {name}", removeAgain.Output);
    }

    [Fact(Timeout = 60_000)]
    public async Task Cli_Ls_WithoutRuntime_FailsWithAClearMessage()
    {
        var dataDir = Directory.CreateTempSubdirectory("nvimg-").FullName;
        try
        {
            var list = await NavarchCli.RunAsync("image", "ls", "--data-dir", dataDir);

            Assert.Equal(1, list.ExitCode);
            Assert.Contains($"cannot reach the container runtime at {Path.Combine(dataDir, "agent", "containerd", "containerd.sock")}", list.Output);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static string Tag() => Guid.NewGuid().ToString("N")[..12];

    private ContainerdImageImporter Importer() => new(containerd.Supervisor.Options.SocketPath, containerd.Supervisor.Snapshotter);

    /// <summary>A small image of its own (distinct content) as an OCI tarball.</summary>
    private async Task<string> WriteImageAsync(string name, CancellationToken cancellationToken)
    {
        var layer = new OciLayerBuilder().AddFile("marker", Encoding.UTF8.GetBytes(name), (UnixFileMode)0b110_100_100).Build();
        var path = Path.Combine(containerd.Directory, Tag() + ".tar");
        await using var output = File.Create(path);
        await OciImageWriter.WriteAsync(output, name, [layer], new OciImageConfig { Cmd = ["sh"] }, cancellationToken);
        return path;
    }
}
