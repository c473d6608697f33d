using Navarch.Kubelet.Hosting;

namespace Navarch.Kubelet.Tests.Hosting;

public sealed class KubeletHostOptionsTests
{
    [Theory]
    [InlineData("unix:///run/containerd/containerd.sock", "/run/containerd/containerd.sock")]
    [InlineData("/run/containerd/containerd.sock", "/run/containerd/containerd.sock")]
    [InlineData(null, null)]
    public void ContainerRuntimeSocket_StripsUnixScheme(string? endpoint, string? socket)
    {
        var options = new KubeletHostOptions { NodeName = "n", DataDirectory = "/tmp/agent", ContainerRuntimeEndpoint = endpoint };

        Assert.Equal(socket, options.ContainerRuntimeSocket);
    }

    [Fact]
    public void Validate_NonPositivePodStatusInterval_Throws()
    {
        var options = new KubeletHostOptions { NodeName = "n", DataDirectory = "/tmp/agent", PodStatusInterval = TimeSpan.Zero };

        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Fact]
    public void Validate_EndpointWithoutSocket_Throws()
    {
        var options = new KubeletHostOptions { NodeName = "n", DataDirectory = "/tmp/agent", ContainerRuntimeEndpoint = "unix://" };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("names no socket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directories_FollowTheAgentLayout()
    {
        var options = new KubeletHostOptions { NodeName = "n", DataDirectory = "/data/agent" };

        Assert.Equal(
            ("/data/agent/containerd", "/data/agent/images", "/data/agent/cni", "/data/agent/logs"),
            (options.ContainerdDirectory, options.ImagesDirectory, options.CniDirectory, options.LogsDirectory));
    }
}
