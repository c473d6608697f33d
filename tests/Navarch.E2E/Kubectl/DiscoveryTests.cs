using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary>What kubectl learns from discovery and OpenAPI: <c>api-resources</c>, <c>api-versions</c>, <c>explain</c>.</summary>
[Collection(NavarchCollection.Name)]
public sealed class DiscoveryTests(ServerFixture server)
{
    [Fact]
    public async Task ApiResources_ListsPodsAndDeploymentsWithShortNames()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("api-resources"));
        server.Expect.StdoutLine(result, "NAME SHORTNAMES APIVERSION NAMESPACED KIND");
        server.Expect.StdoutLine(result, "pods po v1 true Pod");
        server.Expect.StdoutLine(result, "deployments deploy apps/v1 true Deployment");
        server.Expect.StdoutLine(result, "namespaces ns v1 false Namespace");
        server.Expect.StdoutLine(result, "services svc v1 true Service");
        server.Expect.StdoutLine(result, "configmaps cm v1 true ConfigMap");
    }

    [Fact]
    public async Task ApiResourcesWithVerbs_ShowsWhatPodsSupport()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("api-resources", "-o", "wide", "--api-group="));
        server.Expect.StdoutMatches(result, @"^pods\s+po\s+v1\s+true\s+Pod\s+create,delete,deletecollection,get,list,patch,update,watch\s+all$");
    }

    [Fact]
    public async Task ApiVersions_ListsTheServedGroupVersions()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("api-versions"));
        foreach (var groupVersion in new[] { "v1", "apps/v1", "batch/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "events.k8s.io/v1" })
        {
            server.Expect.StdoutLine(result, groupVersion);
        }
    }

    [Fact]
    public async Task ExplainPodContainers_PrintsTheFieldDescription()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("explain", "pods.spec.containers"));
        server.Expect.StdoutLine(result, "KIND: Pod");
        server.Expect.StdoutLine(result, "VERSION: v1");
        server.Expect.StdoutLine(result, "FIELD: containers <[]Container>");
        server.Expect.StdoutLine(result, "DESCRIPTION:");
        server.Expect.StdoutMatches(result, @"List of containers belonging to the pod\.");
        server.Expect.StdoutMatches(result, @"^  image\s+<string>$");
        // Container.name is required in Kubernetes' OpenAPI schema, which explain marks.
        server.Expect.StdoutMatches(result, @"^  name\s+<string> -required-$");
    }

    [Fact]
    public async Task ExplainDeploymentReplicas_PrintsTheFieldType()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("explain", "deployment.spec.replicas"));
        server.Expect.StdoutLine(result, "GROUP: apps");
        server.Expect.StdoutLine(result, "KIND: Deployment");
        server.Expect.StdoutLine(result, "FIELD: replicas <integer>");
    }
}
