using System.Text.Json.Nodes;
using Navarch.ApiServer.Tests.Hosting;
using static Navarch.ApiServer.Tests.Admission.AdmissionJson;

namespace Navarch.ApiServer.Tests.Admission;

/// <summary>The ServiceAccount admission plugin over HTTPS, through the whole write path (no service-account controller runs).</summary>
public sealed class ServiceAccountAdmissionHttpTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    private async Task<string> NamespaceAsync(string name, bool withDefaultAccount)
    {
        var (code, _) = await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + name + "\"}}");
        Assert.Equal(201, code);
        if (withDefaultAccount)
        {
            (code, _) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{name}/serviceaccounts", "{\"metadata\":{\"name\":\"default\"}}");
            Assert.Equal(201, code);
        }

        return $"/api/v1/namespaces/{name}/pods";
    }

    [Fact]
    public async Task CreatePod_WithDefaultAccount_StoresProjectedVolumeAndMount()
    {
        var pods = await NamespaceAsync("sa-admit", withDefaultAccount: true);

        var (code, pod) = await server.SendAsync(HttpMethod.Post, pods, Pod("mounted"));

        Assert.Equal(201, code);
        Assert.Equal("default", (string?)pod!["spec"]!["serviceAccountName"]);
        var volume = Assert.Single(pod["spec"]!["volumes"]!.AsArray())!;
        var name = (string)volume["name"]!;
        Assert.Matches("^kube-api-access-[a-z0-9]{5}$", name);
        Assert.Equal(420, (int)volume["projected"]!["defaultMode"]!);
        Assert.Equal(3607, (long)volume["projected"]!["sources"]![0]!["serviceAccountToken"]!["expirationSeconds"]!);
        var mount = Assert.Single(pod["spec"]!["containers"]![0]!["volumeMounts"]!.AsArray())!;
        Assert.Equal((name, MountPath, true), ((string)mount["name"]!, (string)mount["mountPath"]!, (bool)mount["readOnly"]!));

        // Read back from the store, not just the create response.
        var (_, stored) = await server.SendAsync(HttpMethod.Get, pods + "/mounted");
        Assert.Equal(name, (string?)stored!["spec"]!["volumes"]![0]!["name"]);
    }

    [Fact]
    public async Task CreatePod_WithoutTheAccount_IsAdmittedWithoutVolume()
    {
        var pods = await NamespaceAsync("sa-missing", withDefaultAccount: false);

        var (code, pod) = await server.SendAsync(HttpMethod.Post, pods, Pod("plain"));

        Assert.Equal(201, code);
        Assert.Equal("default", (string?)pod!["spec"]!["serviceAccountName"]);
        Assert.Null(pod["spec"]!["volumes"]);
        Assert.Null(pod["spec"]!["containers"]![0]!["volumeMounts"]);
    }

    [Fact]
    public async Task CreatePod_WithAutomountFalse_GetsNoVolume()
    {
        var pods = await NamespaceAsync("sa-off", withDefaultAccount: true);

        var (code, pod) = await server.SendAsync(HttpMethod.Post, pods, Pod("off", "\"automountServiceAccountToken\":false"));

        Assert.Equal(201, code);
        Assert.Null(pod!["spec"]!["volumes"]);
    }

    [Fact]
    public async Task DryRunCreate_ShowsTheVolumeButStoresNothing()
    {
        var pods = await NamespaceAsync("sa-dry", withDefaultAccount: true);

        var (code, pod) = await server.SendAsync(HttpMethod.Post, pods + "?dryRun=All", Pod("dry"));

        Assert.Equal(201, code);
        Assert.Single(pod!["spec"]!["volumes"]!.AsArray());
        var (missing, _) = await server.SendAsync(HttpMethod.Get, pods + "/dry");
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task UpdatePod_KeepsTheInjectedVolume()
    {
        var pods = await NamespaceAsync("sa-update", withDefaultAccount: true);
        var (_, created) = await server.SendAsync(HttpMethod.Post, pods, Pod("kept"));
        created!["metadata"]!["labels"] = new JsonObject { ["again"] = "yes" };

        var (code, updated) = await server.SendAsync(HttpMethod.Put, pods + "/kept", created.ToJsonString());

        Assert.Equal(200, code);
        Assert.Equal((string?)created["spec"]!["volumes"]![0]!["name"], (string?)Assert.Single(updated!["spec"]!["volumes"]!.AsArray())!["name"]);
    }
}
