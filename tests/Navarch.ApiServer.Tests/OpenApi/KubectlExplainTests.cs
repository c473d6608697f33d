using Navarch.ApiServer.Tests.Discovery;

namespace Navarch.ApiServer.Tests.OpenApi;

/// <summary>Stock <c>kubectl explain</c> (OpenAPI v3) against a server with only discovery and OpenAPI mapped.</summary>
public sealed class KubectlExplainTests(DiscoveryTestServer server) : IClassFixture<DiscoveryTestServer>
{
    [Fact]
    public async Task ExplainPodContainers_ShowsKubernetesFieldDescriptions()
    {
        using var kubectl = new Kubectl(server.BaseAddress);

        var (exit, stdout, stderr) = await kubectl.RunAsync("explain", "pods.spec.containers");

        Assert.True(exit == 0, stderr);
        Assert.Contains("KIND:       Pod", stdout, StringComparison.Ordinal);
        Assert.Contains("List of containers belonging to the pod.", stdout, StringComparison.Ordinal);
        Assert.Contains("image\t<string>", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplainDeployment_WithApiVersion_ShowsGroupAndFields()
    {
        using var kubectl = new Kubectl(server.BaseAddress);

        var (exit, stdout, stderr) = await kubectl.RunAsync("explain", "deployment", "--api-version=apps/v1");

        Assert.True(exit == 0, stderr);
        Assert.Contains("GROUP:      apps", stdout, StringComparison.Ordinal);
        Assert.Contains("KIND:       Deployment", stdout, StringComparison.Ordinal);
        Assert.Contains("spec\t<DeploymentSpec>", stdout, StringComparison.Ordinal);
    }
}
