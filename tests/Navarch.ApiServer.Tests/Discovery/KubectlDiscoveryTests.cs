using System.Text.Json;
using System.Text.RegularExpressions;
using Navarch.ApiServer.Discovery;

namespace Navarch.ApiServer.Tests.Discovery;

/// <summary>Stock kubectl against a server with only discovery and OpenAPI mapped.</summary>
public sealed class KubectlDiscoveryTests(DiscoveryTestServer server) : IClassFixture<DiscoveryTestServer>
{
    [Fact]
    public async Task ApiResources_ListsBuiltInKindsWithShortNamesAndScope()
    {
        using var kubectl = new Kubectl(server.BaseAddress);

        var (exit, stdout, stderr) = await kubectl.RunAsync("api-resources");

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n').Select(l => Regex.Replace(l.Trim(), @"\s+", " ")).ToArray();
        Assert.Contains("pods po v1 true Pod", lines);
        Assert.Contains("deployments deploy apps/v1 true Deployment", lines);
        Assert.Contains("namespaces ns v1 false Namespace", lines);
        Assert.Contains("leases coordination.k8s.io/v1 true Lease", lines);
    }

    [Fact]
    public async Task ApiVersions_ListsEveryServedGroupVersion()
    {
        using var kubectl = new Kubectl(server.BaseAddress);

        var (exit, stdout, stderr) = await kubectl.RunAsync("api-versions");

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var expected in new[] { "v1", "apps/v1", "batch/v1", "coordination.k8s.io/v1", "scheduling.k8s.io/v1" })
        {
            Assert.Contains(expected, lines);
        }
    }

    [Fact]
    public async Task Version_DispatcherPicksTheMatchingClient()
    {
        using var kubectl = new Kubectl(server.BaseAddress);

        var (exit, stdout, stderr) = await kubectl.RunAsync("version", "-o", "json");

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(KubernetesVersion.GitVersion, json.RootElement.GetProperty("serverVersion").GetProperty("gitVersion").GetString());
        Assert.Equal("32", json.RootElement.GetProperty("serverVersion").GetProperty("minor").GetString());
        // The dispatcher runs the client of the server's minor version (its own minor may read "32+").
        Assert.StartsWith("v1.32.", json.RootElement.GetProperty("clientVersion").GetProperty("gitVersion").GetString(), StringComparison.Ordinal);
    }
}
