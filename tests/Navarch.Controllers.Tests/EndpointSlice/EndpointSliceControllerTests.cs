using k8s;
using k8s.Models;
using Navarch.Controllers.EndpointSlice;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.EndpointSlice;

public sealed class EndpointSliceControllerTests : IClassFixture<EndpointSliceFixture>
{
    private readonly ControllerFixture _fixture;

    public EndpointSliceControllerTests(EndpointSliceFixture fixture) => _fixture = fixture.Cluster;

    private IKubernetes Client => _fixture.Admin;

    [Fact]
    public async Task Service_With150Pods_GetsTwoSlices_AndReadinessChangesUpdateInPlace()
    {
        var ns = await _fixture.NamespaceAsync("eps");
        await Client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = ns + "-node", Labels = new Dictionary<string, string> { [EndpointSliceController.ZoneLabel] = "zone-a" } },
        });
        var service = await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "api" },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { ["app"] = "api" },
                Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = "http" }],
            },
        }, ns);
        var kubelet = new FakeKubelet(Client);
        var pods = new V1Pod[150];
        await Parallel.ForEachAsync(Enumerable.Range(0, pods.Length), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var pod = await Client.CoreV1.CreateNamespacedPodAsync(Pod($"api-{i}"), ns);
            await kubelet.RunAsync(pod, ready: true, nodeName: ns + "-node");
            pods[i] = pod;
        });

        var slices = await Eventually.ValueAsync(
            () => ListSlicesAsync(ns),
            s => s.Sum(x => x.Endpoints?.Count ?? 0) == 150 && s.All(x => x.Endpoints?.All(e => e.Conditions.Ready == true) == true),
            "150 ready endpoints in slices", TimeSpan.FromSeconds(30));

        Assert.Equal(2, slices.Count);
        Assert.All(slices, slice =>
        {
            Assert.True(slice.Endpoints.Count <= EndpointSliceController.MaxEndpointsPerSlice);
            Assert.StartsWith("api-", slice.Metadata.Name);
            Assert.Equal("IPv4", slice.AddressType);
            Assert.Equal("api", slice.Metadata.Labels[EndpointSliceController.ServiceNameLabel]);
            Assert.Equal(EndpointSliceController.ManagedBy, slice.Metadata.Labels[EndpointSliceController.ManagedByLabel]);
            Assert.Equal(service.Metadata.Uid, slice.Metadata.OwnerReferences.Single(r => r.Controller == true).Uid);
            Assert.Equal(8080, slice.Ports.Single().Port);
            Assert.Equal("http", slice.Ports.Single().Name);
        });
        var endpoint = slices[0].Endpoints[0];
        Assert.Equal("zone-a", endpoint.Zone);
        Assert.Equal(ns + "-node", endpoint.NodeName);
        Assert.Equal("Pod", endpoint.TargetRef.Kind);
        Assert.Equal(150, slices.SelectMany(s => s.Endpoints).Select(e => e.TargetRef.Uid).Distinct().Count());

        // One pod turns not ready: its endpoint changes in place, the slices stay the same objects.
        var names = slices.Select(s => s.Metadata.Name).Order().ToList();
        await kubelet.RunAsync(pods[7], ready: false);
        var updated = await Eventually.ValueAsync(
            () => ListSlicesAsync(ns),
            s => s.SelectMany(x => x.Endpoints).Any(e => e.TargetRef.Name == "api-7" && e.Conditions.Ready == false),
            "the endpoint of api-7 is not ready");
        var changed = updated.SelectMany(x => x.Endpoints).Single(e => e.TargetRef.Name == "api-7");
        Assert.False(changed.Conditions.Serving);
        Assert.False(changed.Conditions.Terminating);
        Assert.Equal(names, updated.Select(s => s.Metadata.Name).Order().ToList());

        // A deleted pod is terminating (kept, not ready) until it is gone.
        await Client.CoreV1.DeleteNamespacedPodAsync("api-3", ns);
        await Eventually.TrueAsync(
            async () => (await ListSlicesAsync(ns)).SelectMany(x => x.Endpoints).Any(e => e.TargetRef.Name == "api-3" && e.Conditions.Terminating == true && e.Conditions.Ready == false),
            "the deleted pod's endpoint is terminating");
    }

    [Fact]
    public async Task Service_WithoutPods_HasOnePlaceholderSlice()
    {
        var ns = await _fixture.NamespaceAsync("empty");
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "lonely" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "none" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, ns);

        var slices = await Eventually.ValueAsync(() => ListSlicesAsync(ns), s => s.Count == 1, "a placeholder slice");

        Assert.Empty(slices[0].Endpoints ?? []);
    }

    [Fact]
    public void Plan_AddingEndpoints_FillsExistingSliceBeforeCreating()
    {
        var labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "s" };
        var existing = Slice("s-1", labels, Enumerable.Range(0, 95).Select(i => Endpoint($"u{i}")));
        var desired = Enumerable.Range(0, 100).Select(i => Endpoint($"u{i}")).ToDictionary(e => e.TargetRef.Uid);

        var plan = SlicePlanner.Plan([existing], [new DesiredGroup("IPv4", null, desired)], (_, _) => NewSlice(labels), labels, 100);

        Assert.Empty(plan.Creates);
        Assert.Empty(plan.Deletes);
        Assert.Equal(100, Assert.Single(plan.Updates).Endpoints.Count);
    }

    [Fact]
    public void Plan_RemovingAllEndpointsOfOneSlice_DeletesOnlyThatSlice()
    {
        var labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "s" };
        var first = Slice("s-1", labels, Enumerable.Range(0, 100).Select(i => Endpoint($"a{i}")));
        var second = Slice("s-2", labels, Enumerable.Range(0, 10).Select(i => Endpoint($"b{i}")));
        var desired = Enumerable.Range(0, 100).Select(i => Endpoint($"a{i}")).ToDictionary(e => e.TargetRef.Uid);

        var plan = SlicePlanner.Plan([first, second], [new DesiredGroup("IPv4", null, desired)], (_, _) => NewSlice(labels), labels, 100);

        Assert.Empty(plan.Creates);
        Assert.Empty(plan.Updates);
        Assert.Equal("s-2", Assert.Single(plan.Deletes).Metadata.Name);
    }

    private static V1EndpointSlice Slice(string name, Dictionary<string, string> labels, IEnumerable<V1Endpoint> endpoints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string>(labels), Uid = name },
        AddressType = "IPv4",
        Endpoints = [.. endpoints],
    };

    private static V1EndpointSlice NewSlice(Dictionary<string, string> labels) => new()
    {
        Metadata = new V1ObjectMeta { GenerateName = "s-", Labels = new Dictionary<string, string>(labels) },
        AddressType = "IPv4",
        Endpoints = new List<V1Endpoint>(),
    };

    private static V1Endpoint Endpoint(string uid) => new()
    {
        Addresses = ["10.0.0.1"],
        Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
        TargetRef = new V1ObjectReference { Kind = "Pod", Name = uid, Uid = uid },
    };

    private async Task<List<V1EndpointSlice>> ListSlicesAsync(string ns) =>
        [.. (await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: "kubernetes.io/service-name")).Items];

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "api" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "api", Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }] }] },
    };
}
