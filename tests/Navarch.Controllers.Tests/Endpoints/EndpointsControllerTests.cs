using k8s;
using k8s.Models;
using Navarch.Controllers.Endpoints;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.Endpoints;

public sealed class EndpointsControllerTests : IClassFixture<EndpointsFixture>
{
    private readonly ControllerFixture _fixture;

    public EndpointsControllerTests(EndpointsFixture fixture) => _fixture = fixture.Cluster;

    private IKubernetes Client => _fixture.Admin;

    [Fact]
    public async Task Service_GetsReadyAndNotReadyAddresses_GroupedByResolvedNamedPort()
    {
        var ns = await _fixture.NamespaceAsync("ep");
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["tier"] = "front" } },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { ["app"] = "web" },
                Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = "web" }],
            },
        }, ns);
        var kubelet = new FakeKubelet(Client);
        var ready = await Client.CoreV1.CreateNamespacedPodAsync(Pod("ready", 8080), ns);
        var notReady = await Client.CoreV1.CreateNamespacedPodAsync(Pod("not-ready", 8080), ns);
        var other = await Client.CoreV1.CreateNamespacedPodAsync(Pod("other-port", 9090), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("pending", 8080), ns);
        await kubelet.RunAsync(ready, ready: true);
        await kubelet.RunAsync(notReady, ready: false);
        await kubelet.RunAsync(other, ready: true);

        var endpoints = await Eventually.ValueAsync(
            () => TryReadAsync(ns, "web"),
            e => e?.Subsets?.Sum(s => (s.Addresses?.Count ?? 0) + (s.NotReadyAddresses?.Count ?? 0)) == 3,
            "three addresses in the Endpoints");

        Assert.NotNull(endpoints);
        var at8080 = endpoints.Subsets.Single(s => s.Ports.Single().Port == 8080);
        Assert.Equal("ready", at8080.Addresses.Single().TargetRef.Name);
        Assert.Equal("not-ready", at8080.NotReadyAddresses.Single().TargetRef.Name);
        Assert.Equal("http", at8080.Ports.Single().Name);
        Assert.Equal("TCP", at8080.Ports.Single().Protocol);
        var at9090 = endpoints.Subsets.Single(s => s.Ports.Single().Port == 9090);
        Assert.Equal("other-port", at9090.Addresses.Single().TargetRef.Name);
        Assert.Null(at9090.NotReadyAddresses);
        Assert.Equal("front", endpoints.Metadata.Labels["tier"]);
        Assert.True(endpoints.Metadata.Annotations.ContainsKey(ServicePods.LastChangeTriggerTime));

        // Readiness changes move the address; a deleted (terminating) pod drops out.
        await kubelet.RunAsync(notReady, ready: true);
        await Eventually.TrueAsync(
            async () => (await TryReadAsync(ns, "web"))?.Subsets?.SingleOrDefault(s => s.Ports.Single().Port == 8080)?.Addresses?.Count == 2,
            "the pod that became ready is an address");
        await Client.CoreV1.DeleteNamespacedPodAsync("other-port", ns);
        await Eventually.TrueAsync(
            async () => (await TryReadAsync(ns, "web"))?.Subsets?.Count == 1,
            "the deleted pod's subset is gone");

        await Client.CoreV1.DeleteNamespacedServiceAsync("web", ns);
        await Eventually.TrueAsync(async () => await TryReadAsync(ns, "web") is null, "the Endpoints go with the Service");
    }

    [Fact]
    public async Task Service_WithoutSelector_IsLeftAlone()
    {
        var ns = await _fixture.NamespaceAsync("manual");
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "db" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 5432 }] },
        }, ns);
        await Client.CoreV1.CreateNamespacedEndpointsAsync(new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "db" },
            Subsets = [new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "192.0.2.10" }], Ports = [new Corev1EndpointPort { Port = 5432 }] }],
        }, ns);
        // A selector service in the same namespace proves the controller is running there.
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "probe" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "probe" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, ns);
        await Eventually.TrueAsync(async () => await TryReadAsync(ns, "probe") is not null, "the probe service's Endpoints");

        var manual = await TryReadAsync(ns, "db");
        Assert.Equal("192.0.2.10", manual?.Subsets.Single().Addresses.Single().Ip);
    }

    [Fact]
    public void Repack_MergesPortsWithTheSameAddresses()
    {
        var a = new V1EndpointAddress { Ip = "10.0.0.2", TargetRef = new V1ObjectReference { Uid = "a" } };
        var b = new V1EndpointAddress { Ip = "10.0.0.1", TargetRef = new V1ObjectReference { Uid = "b" } };
        var http = new Corev1EndpointPort { Name = "http", Port = 80, Protocol = "TCP" };
        var https = new Corev1EndpointPort { Name = "https", Port = 443, Protocol = "TCP" };

        var subsets = EndpointSubsets.Repack([new(a, true, [http]), new(a, true, [https]), new(b, false, [http]), new(b, false, [https])]);

        var subset = Assert.Single(subsets);
        Assert.Equal(["http", "https"], subset.Ports.Select(p => p.Name));
        Assert.Equal("10.0.0.2", subset.Addresses.Single().Ip);
        Assert.Equal("10.0.0.1", subset.NotReadyAddresses.Single().Ip);
    }

    [Fact]
    public void Truncate_KeepsReadyAddressesFirst()
    {
        var subsets = new List<V1EndpointSubset>
        {
            new()
            {
                Addresses = [.. Enumerable.Range(0, 3).Select(i => new V1EndpointAddress { Ip = $"10.0.0.{i}" })],
                NotReadyAddresses = [.. Enumerable.Range(0, 3).Select(i => new V1EndpointAddress { Ip = $"10.0.1.{i}" })],
            },
        };

        Assert.True(EndpointSubsets.Truncate(subsets, 4));
        Assert.Equal(3, subsets[0].Addresses.Count);
        Assert.Single(subsets[0].NotReadyAddresses);
    }

    private async Task<V1Endpoints?> TryReadAsync(string ns, string name)
    {
        try
        {
            return await Client.CoreV1.ReadNamespacedEndpointsAsync(name, ns);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static V1Pod Pod(string name, int port) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx", Ports = [new V1ContainerPort { Name = "web", ContainerPort = port }] }] },
    };
}
