using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Images;

namespace Navarch.Kubelet.Tests.Images;

public sealed class ImageTableTests
{
    [Fact]
    public void Format_PrintsOneRowPerTagAsCrictl()
    {
        var tagged = new Image { Id = "sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824", Size = 1_240_191 };
        tagged.RepoTags.Add("docker.io/library/busybox:latest");
        tagged.RepoTags.Add("localhost:5000/busybox:1");
        var untagged = new Image { Id = "sha256:0123456789abcdef0123", Size = 999 };
        untagged.RepoDigests.Add("docker.io/library/app@sha256:0123");

        var lines = ImageTable.Format([untagged, tagged]).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
        [
            "IMAGE                       TAG                 IMAGE ID            SIZE",
            "docker.io/library/app       <none>              0123456789abc       999B",
            "docker.io/library/busybox   latest              a416a98b71e22       1.24MB",
            "localhost:5000/busybox      1                   a416a98b71e22       1.24MB",
        ], lines);
    }

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(1000, "1kB")]
    [InlineData(4_500_000, "4.5MB")]
    [InlineData(123_456_789_012, "123GB")]
    public void HumanSize_UsesDecimalUnitsAndThreeDigits(double size, string expected) =>
        Assert.Equal(expected, ImageTable.HumanSize(size));

    [Fact]
    public void ImageStoreLocation_ReadsTheAgentsSocketAndSnapshotter()
    {
        var agent = Directory.CreateTempSubdirectory("nvloc-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(agent, "containerd"));
            File.WriteAllText(Path.Combine(agent, "containerd", "config.toml"), "version = 2\n[x]\n  snapshotter = \"native\"\n");

            var supervised = ImageStoreLocation.Resolve(agent, null);
            var external = ImageStoreLocation.Resolve(agent, "unix:///run/containerd/containerd.sock");

            Assert.Equal(new ImageStoreLocation(Path.Combine(agent, "containerd", "containerd.sock"), "native"), supervised);
            Assert.Equal(new ImageStoreLocation("/run/containerd/containerd.sock", "overlayfs"), external);
        }
        finally
        {
            Directory.Delete(agent, recursive: true);
        }
    }
}
