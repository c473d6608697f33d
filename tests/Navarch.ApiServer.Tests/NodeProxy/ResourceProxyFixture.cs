using System.Globalization;
using System.Net.Sockets;
using Navarch.ApiServer.NodeProxy;
using System.Text.Json.Nodes;
using Navarch.ApiServer.Tests.Hosting;

namespace Navarch.ApiServer.Tests.NodeProxy;

/// <summary>
/// A real API server, a <see cref="FakeKubelet"/> and a <see cref="FakePod"/>: node n1 points at the kubelet, node
/// elsewhere reports another kubelet port (so only <c>https:elsewhere:{port}</c> reaches the kubelet), node bare has no
/// address, node dead points at a port nobody listens on; pod web has the fake pod's IP and declares its port, pod
/// noip has no IP yet. Services (for services/proxy): websvc (port "http" 80 → the fake pod, endpoint backed by pod
/// web), plain (one unnamed port, same backend), empty (Endpoints without subsets), noeps (no Endpoints object),
/// notready (only notReadyAddresses), stale (a ready address whose pod does not have that IP).
/// </summary>
public sealed class ResourceProxyFixture : IAsyncLifetime
{
    public ApiServerFixture Server { get; } = new();

    public FakeKubelet Kubelet { get; private set; } = null!;

    public FakePod Pod { get; private set; } = null!;

    private System.Security.Cryptography.X509Certificates.X509Certificate2? _admin;

    /// <summary>An HTTP/1.1 TLS connection to the API server with the admin certificate, for upgrade requests.</summary>
    internal Task<BackendConnection> ConnectRawAsync(CancellationToken cancellationToken) =>
        RawApiConnection.OpenAsync(Server.Host.Url!, _admin ??= Server.Host.Certificates.AdminClient.ToCertificate(), cancellationToken);

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        Kubelet = await FakeKubelet.StartAsync();
        Pod = await FakePod.StartAsync();
        await CreateNodeAsync("n1", "127.0.0.1", Kubelet.Port);
        await CreateNodeAsync("elsewhere", "127.0.0.1", Kubelet.Port == 1 ? 2 : 1);
        await CreateNodeAsync("dead", "127.0.0.1", FreePort());
        await CreateAsync(HttpMethod.Post, "/api/v1/nodes", """{"apiVersion":"v1","kind":"Node","metadata":{"name":"bare"}}""", 201);
        await CreatePodAsync("web", Pod.Address.ToString(), Pod.Port);
        await CreatePodAsync("noip", null, 8080);
        await CreateServicesAsync();
    }

    private async Task CreateNodeAsync(string name, string address, int kubeletPort)
    {
        await CreateAsync(HttpMethod.Post, "/api/v1/nodes", """{"apiVersion":"v1","kind":"Node","metadata":{"name":""" + JsonValue.Create(name).ToJsonString() + "}}", 201);
        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["addresses"] = new JsonArray(new JsonObject { ["type"] = "InternalIP", ["address"] = address }),
                ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = kubeletPort } },
            },
        };
        await CreateAsync(HttpMethod.Patch, $"/api/v1/nodes/{name}/status", status.ToJsonString(), 200, "application/merge-patch+json");
    }

    private async Task CreatePodAsync(string name, string? podIP, int containerPort)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["nodeName"] = "n1",
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "c",
                    ["image"] = "busybox",
                    ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = containerPort }),
                }),
            },
        };
        await CreateAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", pod.ToJsonString(), 201);
        if (podIP is not null)
        {
            var status = new JsonObject { ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = podIP, ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIP }) } };
            await CreateAsync(HttpMethod.Patch, $"/api/v1/namespaces/default/pods/{name}/status", status.ToJsonString(), 200, "application/merge-patch+json");
        }
    }

    private async Task CreateServicesAsync()
    {
        var podIP = Pod.Address.ToString();
        var podPort = Pod.Port;
        await CreateServiceAsync("websvc", "http", 80, Subset(Address(podIP, "web"), null, "http", podPort));
        await CreateServiceAsync("plain", null, 8080, Subset(Address(podIP, "web"), null, null, podPort));
        await CreateServiceAsync("empty", "http", 80, null);
        await CreateServiceAsync("noeps", "http", 80, null, endpoints: false);
        await CreateServiceAsync("notready", "http", 80, Subset(null, Address(podIP, "web"), "http", podPort));
        await CreateServiceAsync("stale", "http", 80, Subset(Address(podIP, "noip"), null, "http", podPort));
    }

    private static JsonObject Address(string ip, string pod) => new()
    {
        ["ip"] = ip,
        ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = "default", ["name"] = pod },
    };

    private static JsonObject Subset(JsonObject? ready, JsonObject? notReady, string? portName, int port)
    {
        var endpointPort = new JsonObject { ["port"] = port, ["protocol"] = "TCP" };
        if (portName is not null)
        {
            endpointPort["name"] = portName;
        }

        var subset = new JsonObject { ["ports"] = new JsonArray(endpointPort) };
        if (ready is not null)
        {
            subset["addresses"] = new JsonArray(ready);
        }

        if (notReady is not null)
        {
            subset["notReadyAddresses"] = new JsonArray(notReady);
        }

        return subset;
    }

    private async Task CreateServiceAsync(string name, string? portName, int port, JsonObject? subset, bool endpoints = true)
    {
        var servicePort = new JsonObject { ["port"] = port, ["protocol"] = "TCP" };
        if (portName is not null)
        {
            servicePort["name"] = portName;
        }

        var service = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["ports"] = new JsonArray(servicePort) },
        };
        await CreateAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", service.ToJsonString(), 201);
        if (!endpoints)
        {
            return;
        }

        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Endpoints",
            ["metadata"] = new JsonObject { ["name"] = name },
        };
        if (subset is not null)
        {
            body["subsets"] = new JsonArray(subset);
        }

        await CreateAsync(HttpMethod.Post, "/api/v1/namespaces/default/endpoints", body.ToJsonString(), 201);
    }

    private async Task CreateAsync(HttpMethod method, string path, string body, int expected, string contentType = "application/json")
    {
        var (code, response) = await Server.SendAsync(method, path, body, contentType);
        Assert.True(code == expected, response?.ToJsonString());
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string PortText(int port) => port.ToString(CultureInfo.InvariantCulture);

    public async Task DisposeAsync()
    {
        if (Pod is not null)
        {
            await Pod.DisposeAsync();
        }

        if (Kubelet is not null)
        {
            await Kubelet.DisposeAsync();
        }

        await Server.DisposeAsync();
        _admin?.Dispose();
    }
}
