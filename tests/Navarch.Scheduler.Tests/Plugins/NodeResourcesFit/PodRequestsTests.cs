using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;

namespace Navarch.Scheduler.Tests.Plugins.NodeResourcesFit;

/// <summary>The effective-request rules NodeResourcesFit relies on (resourcehelper.PodRequests).</summary>
public sealed class PodRequestsTests
{
    [Fact]
    public void Compute_SumsAppContainersAndTakesMaxWithInitContainers()
    {
        // Kubernetes' doc example: init 2/1G and 2/3G, app 2/1G and 1/1G -> cpu 3, memory 3G.
        var pod = PodBuilder.Pod("p").Req(("cpu", "2"), ("memory", "1G")).Container2(("cpu", "1"), ("memory", "1G"))
            .InitReq(false, ("cpu", "2"), ("memory", "1G")).InitReq(false, ("cpu", "2"), ("memory", "3G"));

        var requests = PodRequests.Compute(pod);

        Assert.Equal(3000, requests.MilliCpu);
        Assert.Equal(3_000_000_000, requests.Memory);
    }

    [Fact]
    public void Compute_InitContainerRunsBesideEarlierSidecarsOnly()
    {
        // app 1 + sidecar 1 + sidecar 1 = 3; the init container (5) starts after the first sidecar only: 6.
        var pod = PodBuilder.Pod("p").Req(("cpu", "1"))
            .InitReq(true, ("cpu", "1"))
            .InitReq(false, ("cpu", "5"))
            .InitReq(true, ("cpu", "1"));

        Assert.Equal(6000, PodRequests.Compute(pod).MilliCpu);
    }

    [Fact]
    public void Compute_SidecarAfterLargeInitContainer_IsNotStackedOnIt()
    {
        // The init container (5) ran before the sidecar started: max(1 + 1, 5) = 5, not 6.
        var pod = PodBuilder.Pod("p").Req(("cpu", "1")).InitReq(false, ("cpu", "5")).InitReq(true, ("cpu", "1"));

        Assert.Equal(5000, PodRequests.Compute(pod).MilliCpu);
    }

    [Fact]
    public void Compute_AddsOverheadAfterInitMax()
    {
        var pod = PodBuilder.Pod("p").Req(("cpu", "1")).InitReq(false, ("cpu", "2")).Overhead(("cpu", "250m"), ("memory", "10"));

        var requests = PodRequests.Compute(pod);

        Assert.Equal(2250, requests.MilliCpu);
        Assert.Equal(10, requests.Memory);
    }

    [Fact]
    public void Compute_NonZero_DefaultsOnlyMissingCpuAndMemory()
    {
        var missing = PodRequests.Compute(PodBuilder.Pod("p"), nonZero: true);
        var explicitZero = PodRequests.Compute(PodBuilder.Pod("p").Req(("cpu", "0"), ("memory", "0")), nonZero: true);

        Assert.Equal(100, missing.MilliCpu);
        Assert.Equal(200L * 1024 * 1024, missing.Memory);
        Assert.Equal(0, explicitZero.MilliCpu);
        Assert.Equal(0, explicitZero.Memory);
    }

    [Fact]
    public void Compute_CountsExtendedHugepagesAndPrefixedNativeResources()
    {
        var pod = PodBuilder.Pod("p").Req(("example.com/gpu", "2"), ("hugepages-2Mi", "4Mi"), ("kubernetes.io/foo", "1"), ("storage", "1"));

        var requests = PodRequests.Compute(pod);

        Assert.Equal(2, requests.GetScalar("example.com/gpu"));
        Assert.Equal(4 * 1024 * 1024, requests.GetScalar("hugepages-2Mi"));
        Assert.Equal(1, requests.GetScalar("kubernetes.io/foo"));
        Assert.Equal(0, requests.GetScalar("storage"));
    }
}
