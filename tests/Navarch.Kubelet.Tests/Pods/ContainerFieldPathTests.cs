using k8s.Models;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Tests.Pods;

public sealed class ContainerFieldPathTests
{
    [Fact]
    public void Of_AppInitAndEphemeralContainers_NamesTheirList()
    {
        var pod = TestPods.New("paths", "Always", TestPods.Busybox("app"));
        pod.Spec.InitContainers = [TestPods.Busybox("setup")];
        pod.Spec.EphemeralContainers = [new V1EphemeralContainer { Name = "debugger" }];

        Assert.Equal("spec.containers{app}", ContainerFieldPath.Of(pod, "app"));
        Assert.Equal("spec.initContainers{setup}", ContainerFieldPath.Of(pod, "setup"));
        Assert.Equal("spec.ephemeralContainers{debugger}", ContainerFieldPath.Of(pod, "debugger"));
    }
}
