using Navarch.Kubelet.Images;

namespace Navarch.Kubelet.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36")]
    [InlineData("team/app", "docker.io/team/app:latest")]
    [InlineData("index.docker.io/library/nginx:1", "docker.io/library/nginx:1")]
    [InlineData("localhost/app", "localhost/app:latest")]
    [InlineData("127.0.0.1:5000/test/busybox:1", "127.0.0.1:5000/test/busybox:1")]
    [InlineData("registry.example.com/a/b/c:v1.2-rc", "registry.example.com/a/b/c:v1.2-rc")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void TryParse_NormalisesAsContainerd(string image, string expected)
    {
        Assert.True(ImageReference.TryParse(image, out var reference, out var error), error);
        Assert.Equal(expected, reference.FullName);
    }

    [Theory]
    [InlineData("BusyBox", "invalid reference format: repository name must be lowercase")]
    [InlineData("busybox:", "invalid reference format")]
    [InlineData("-busybox", "invalid reference format")]
    [InlineData("busy box", "invalid reference format")]
    [InlineData("", "repository name must have at least one component")]
    public void TryParse_InvalidReference_ReportsTheReferenceLibrarysMessage(string image, string expected)
    {
        Assert.False(ImageReference.TryParse(image, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("busybox", "busybox:latest")]
    [InlineData("busybox:1", "busybox:1")]
    [InlineData("localhost:5000/app", "localhost:5000/app:latest")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void WithDefaultTag_AddsLatestOnlyWithoutTagOrDigest(string image, string expected)
    {
        Assert.True(ImageReference.TryParse(image, out var reference, out _));
        Assert.Equal(expected, ImageReference.WithDefaultTag(image, reference));
    }

    [Theory]
    [InlineData("busybox", "Always")]
    [InlineData("busybox:latest", "Always")]
    [InlineData("busybox:1.36", "IfNotPresent")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    public void DefaultPullPolicy_IsAlwaysForLatestOnly(string image, string expected)
    {
        Assert.True(ImageReference.TryParse(image, out var reference, out _));
        Assert.Equal(expected, ImagePuller.DefaultPullPolicy(reference));
    }
}
