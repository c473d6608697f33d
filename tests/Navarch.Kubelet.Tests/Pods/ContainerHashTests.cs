using k8s.Models;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Tests.Pods;

public sealed class ContainerHashTests
{
    [Fact]
    public void Of_EqualSpecs_SameHash()
    {
        Assert.Equal(ContainerHash.Of(TestPods.Busybox("app", "sleep", "1")), ContainerHash.Of(TestPods.Busybox("app", "sleep", "1")));
    }

    [Fact]
    public void Of_ImageChanged_OtherHash()
    {
        var changed = TestPods.Busybox("app", "sleep", "1");
        changed.Image = "busybox:1.36";
        Assert.NotEqual(ContainerHash.Of(TestPods.Busybox("app", "sleep", "1")), ContainerHash.Of(changed));
    }

    [Fact]
    public void Of_OnlyResourcesChanged_SameHash()
    {
        var resized = TestPods.Busybox("app", "sleep", "1");
        resized.Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") } };
        Assert.Equal(ContainerHash.Of(TestPods.Busybox("app", "sleep", "1")), ContainerHash.Of(resized));
        Assert.NotNull(resized.Resources);
    }

    [Fact]
    public void Changed_WithoutHashAnnotation_Unchanged()
    {
        Assert.False(ContainerHash.Changed(TestPods.Busybox("app"), new Dictionary<string, string>()));
        Assert.True(ContainerHash.Changed(TestPods.Busybox("app"), new Dictionary<string, string> { [KubernetesLabels.ContainerHash] = "0" }));
    }
}
