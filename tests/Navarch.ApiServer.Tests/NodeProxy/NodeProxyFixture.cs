using System.Net.Sockets;
using System.Text.Json.Nodes;
using Navarch.ApiServer.NodeProxy;
using Navarch.ApiServer.Tests.Hosting;

namespace Navarch.ApiServer.Tests.NodeProxy;

/// <summary>
/// A real API server and a <see cref="FakeKubelet"/>, with nodes and pods set up: node n1 points at the fake kubelet,
/// node bare has no address; pods one (container c), two (a, b), annotated (a, b; default b), broken, pending (no
/// node) and ghost (on a node that does not exist), stranded (on node bare).
/// </summary>
public sealed class NodeProxyFixture : IAsyncLifetime
{
    public ApiServerFixture Server { get; } = new();

    private System.Security.Cryptography.X509Certificates.X509Certificate2? _admin;

    public FakeKubelet Kubelet { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        Kubelet = await FakeKubelet.StartAsync();
        await CreateNodeAsync("n1", """{"addresses":[{"type":"Hostname","address":"no-such-host.invalid"},{"type":"InternalIP","address":"127.0.0.1"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":"""
            + Kubelet.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}}");
        await CreateNodeAsync("bare", """{"addresses":[]}""");
        await CreatePodAsync("one", "n1", ["c"]);
        await CreatePodAsync("two", "n1", ["a", "b"], init: ["setup"]);
        await CreatePodAsync("annotated", "n1", ["a", "b"], annotations: """{"kubectl.kubernetes.io/default-container":"b"}""");
        await CreatePodAsync("broken", "n1", ["broken"]);
        await CreatePodAsync("pending", null, ["c"]);
        await CreatePodAsync("ghost", "missing-node", ["c"]);
        await CreatePodAsync("stranded", "bare", ["c"]);
    }

    /// <summary>An HTTP/1.1 TLS connection to the API server with the admin certificate, for upgrade requests.</summary>
    internal Task<BackendConnection> ConnectRawAsync() =>
        RawApiConnection.OpenAsync(Server.Host.Url!, _admin ??= Server.Host.Certificates.AdminClient.ToCertificate());

    private async Task CreateNodeAsync(string name, string status)
    {
        var (code, body) = await Server.SendAsync(HttpMethod.Post, "/api/v1/nodes", """{"apiVersion":"v1","kind":"Node","metadata":{"name":""" + JsonValue.Create(name).ToJsonString() + "}}");
        Assert.True(code == 201, body?.ToJsonString());
        (code, body) = await Server.SendAsync(HttpMethod.Patch, $"/api/v1/nodes/{name}/status", "{\"status\":" + status + "}", "application/merge-patch+json");
        Assert.True(code == 200, body?.ToJsonString());
    }

    private async Task CreatePodAsync(string name, string? node, string[] containers, string[]? init = null, string? annotations = null)
    {
        var spec = new JsonObject
        {
            ["containers"] = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["image"] = "busybox" })]),
        };
        if (node is not null)
        {
            spec["nodeName"] = node;
        }

        if (init is not null)
        {
            spec["initContainers"] = new JsonArray([.. init.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["image"] = "busybox" })]);
        }

        var metadata = new JsonObject { ["name"] = name };
        if (annotations is not null)
        {
            metadata["annotations"] = JsonNode.Parse(annotations);
        }

        var pod = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["spec"] = spec };
        var (code, body) = await Server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", pod.ToJsonString());
        Assert.True(code == 201, body?.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        if (Kubelet is not null)
        {
            await Kubelet.DisposeAsync();
        }

        await Server.DisposeAsync();
        _admin?.Dispose();
    }
}
