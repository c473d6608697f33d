using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

[Collection(SchedulerClusterCollection.Name)]
public sealed class SchedulingGatesIntegrationTests(SchedulerClusterFixture fixture)
{
    [Fact]
    public async Task GatedPod_IsNotAttemptedUntilItsGatesAreRemoved()
    {
        await using var scenario = await PluginScenario.StartAsync(fixture, "gates");
        var node = await scenario.CreateNodeAsync("a");

        await scenario.CreatePodAsync(scenario.Pod("gated").Req(("cpu", "100m"))
            .Configure(p => p.Spec.SchedulingGates = [new V1PodSchedulingGate { Name = "navarch.test/wait" }]));

        // A pod created after the gated one, and bound: the scheduler has seen the gated pod and left it alone.
        await scenario.CreatePodAsync(scenario.Pod("sentinel").Req(("cpu", "100m")));
        await scenario.WaitForBoundAsync("sentinel");
        await scenario.WaitForEventAsync("sentinel", "Scheduled");

        var gated = await scenario.GetPodAsync("gated");
        Assert.NotNull(gated);
        Assert.True(string.IsNullOrEmpty(gated.Spec.NodeName));
        Assert.Equal("SchedulingGated", PluginScenario.PodScheduled(gated)?.Reason);
        Assert.Empty(await scenario.EventsAsync("gated", "FailedScheduling"));

        // As Kubernetes: gates can only be removed, which is what releases the pod.
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() =>
            scenario.PatchPodAsync("gated", """{"spec":{"schedulingGates":[{"name":"navarch.test/wait"},{"name":"navarch.test/more"}]}}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode);
        Assert.Contains(
            "spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found new scheduling gate 'navarch.test/more'",
            KubernetesJson.Deserialize<V1Status>(refused.Response.Content).Message,
            StringComparison.Ordinal);

        await scenario.PatchPodAsync("gated", """{"spec":{"schedulingGates":null}}""");
        Assert.Equal(node.Metadata.Name, (await scenario.WaitForBoundAsync("gated")).Spec.NodeName);
        Assert.Empty(await scenario.EventsAsync("gated", "FailedScheduling"));
    }
}
