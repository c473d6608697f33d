using System.Net;
using k8s.Models;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Registry.Allocation;
using Navarch.ApiServer.Registry.Kinds;
using static Navarch.ApiServer.Tests.Registry.StrategyTestHelpers;

namespace Navarch.ApiServer.Tests.Registry;

public sealed class ServiceStrategyTests
{
    private readonly ServiceAllocators _allocators = ServiceAllocators.CreateDefault();
    private readonly IResourceStrategy _strategy;

    public ServiceStrategyTests()
    {
        _strategy = new ServiceStrategy(_allocators);
    }

    private static V1Service Service(string name = "web", string? type = null, params V1ServicePort[] ports) => new()
    {
        Metadata = Meta(name),
        Spec = new V1ServiceSpec
        {
            Type = type,
            Selector = new Dictionary<string, string> { ["app"] = name },
            Ports = ports.Length == 0 ? [new V1ServicePort { Port = 80 }] : ports.ToList(),
        },
    };

    [Fact]
    public void Create_DefaultsAndAllocatesClusterIp()
    {
        var service = Service();

        Assert.Empty(Create(_strategy, service));

        var spec = service.Spec;
        Assert.Equal("ClusterIP", spec.Type);
        Assert.Equal("None", spec.SessionAffinity);
        Assert.Equal("TCP", spec.Ports[0].Protocol);
        Assert.Equal("80", spec.Ports[0].TargetPort.Value);
        Assert.Equal(["IPv4"], spec.IpFamilies);
        Assert.Equal("SingleStack", spec.IpFamilyPolicy);
        Assert.Equal("Cluster", spec.InternalTrafficPolicy);
        Assert.Null(spec.ExternalTrafficPolicy);
        Assert.Null(spec.Ports[0].NodePort);
        Assert.True(_allocators.ClusterIps.Contains(IPAddress.Parse(spec.ClusterIP)));
        Assert.Equal([spec.ClusterIP], spec.ClusterIPs);
        Assert.True(_allocators.ClusterIps.IsAllocated(IPAddress.Parse(spec.ClusterIP)));
    }

    [Fact]
    public void Create_LoadBalancer_AllocatesNodePortsAndDefaultsPolicies()
    {
        var service = Service("lb", "LoadBalancer", new V1ServicePort { Name = "http", Port = 80 }, new V1ServicePort { Name = "https", Port = 443, NodePort = 30443 });

        Assert.Empty(Create(_strategy, service));

        Assert.Equal("Cluster", service.Spec.ExternalTrafficPolicy);
        Assert.True(service.Spec.AllocateLoadBalancerNodePorts);
        Assert.InRange(service.Spec.Ports[0].NodePort!.Value, 30000, 32767);
        Assert.Equal(30443, service.Spec.Ports[1].NodePort);
        Assert.True(_allocators.NodePorts.IsAllocated(30443));
    }

    [Fact]
    public void Create_Headless_AllocatesNothing()
    {
        var service = Service();
        service.Spec.ClusterIP = "None";
        service.Spec.Ports = null;

        Assert.Empty(Create(_strategy, service));
        Assert.Equal(["None"], service.Spec.ClusterIPs);
        Assert.Equal(0, _allocators.ClusterIps.Used);
    }

    [Fact]
    public void Create_WithTakenClusterIp_FailsWithKubernetesMessage()
    {
        _allocators.ClusterIps.MarkAllocated(IPAddress.Parse("10.43.0.5"));
        var service = Service();
        service.Spec.ClusterIP = "10.43.0.5";

        var error = Assert.Throws<ApiException>(() => Create(_strategy, service));

        Assert.Equal(422, error.Code);
        Assert.Equal(
            "Service \"web\" is invalid: spec.clusterIPs: Invalid value: [\"10.43.0.5\"]: failed to allocate IP 10.43.0.5: provided IP is already allocated",
            error.Message);
    }

    [Fact]
    public void Create_WithTakenNodePort_FailsAndReleasesTheClusterIp()
    {
        _allocators.NodePorts.MarkAllocated(30080);
        var service = Service("np", "NodePort", new V1ServicePort { Port = 80, NodePort = 30080 });

        var error = Assert.Throws<ApiException>(() => Create(_strategy, service));

        Assert.Equal("Service \"np\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated", error.Message);
        Assert.Equal(0, _allocators.ClusterIps.Used);
        Assert.Equal(1, _allocators.NodePorts.Used);
    }

    [Fact]
    public void Create_WithOutOfRangeValues_ExplainsTheRange()
    {
        var service = Service("np", "NodePort", new V1ServicePort { Port = 80, NodePort = 40000 });
        service.Spec.ClusterIP = "10.99.0.1";

        var error = Assert.Throws<ApiException>(() => Create(_strategy, service));

        Assert.Contains("spec.clusterIPs: Invalid value: [\"10.99.0.1\"]: failed to allocate IP 10.99.0.1: the provided IP (10.99.0.1) is not in the valid range. The range of valid IPs is 10.43.0.0/16", error.Message);
        Assert.Contains("spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767", error.Message);
    }

    [Fact]
    public void Create_WhenRangeIsFull_IsInternalError()
    {
        var strategy = (IResourceStrategy)new ServiceStrategy(new ServiceAllocators(new ServiceIpAllocator("10.0.0.0/30"), new NodePortAllocator()));
        Create(strategy, Service("a"));
        Create(strategy, Service("b"));

        var error = Assert.Throws<ApiException>(() => Create(strategy, Service("c")));

        Assert.Equal(500, error.Code);
        Assert.Equal("Internal error occurred: failed to allocate a serviceIP: range is full", error.Message);
    }

    [Fact]
    public void OnCreateFailed_ReleasesOnlyWhatThatCreateTook()
    {
        var service = Service("np", "NodePort");
        Create(_strategy, service);
        Assert.Equal(1, _allocators.ClusterIps.Used);
        Assert.Equal(1, _allocators.NodePorts.Used);

        _strategy.OnCreateFailed(service);
        _strategy.OnCreateFailed(service);

        Assert.Equal(0, _allocators.ClusterIps.Used);
        Assert.Equal(0, _allocators.NodePorts.Used);

        // A failed create naming another service's IP must not free it.
        var owner = Service("owner");
        owner.Spec.ClusterIP = "10.43.0.20";
        Create(_strategy, owner);
        var intruder = Service("intruder");
        intruder.Spec.ClusterIP = "10.43.0.20";
        Assert.Throws<ApiException>(() => Create(_strategy, intruder));
        _strategy.OnCreateFailed(intruder);
        Assert.True(_allocators.ClusterIps.IsAllocated(IPAddress.Parse("10.43.0.20")));
    }

    [Fact]
    public void OnDeleted_ReleasesClusterIpAndNodePorts()
    {
        var service = Service("np", "NodePort");
        Create(_strategy, service);

        _strategy.OnDeleted(service);

        Assert.Equal(0, _allocators.ClusterIps.Used);
        Assert.Equal(0, _allocators.NodePorts.Used);
    }

    [Fact]
    public void Validate_ReportsPortProblems()
    {
        var service = Service("web", "Weird", new V1ServicePort { Port = 0 }, new V1ServicePort { Name = "a", Port = 81 }, new V1ServicePort { Name = "a", Port = 82 });

        _strategy.Default(service);
        var errors = new List<FieldError>();
        _strategy.Validate(service, errors);
        var text = errors.Select(e => e.ToString()).ToList();

        Assert.Contains("spec.type: Unsupported value: \"Weird\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"", text);
        Assert.Contains("spec.ports[0].name: Required value", text);
        Assert.Contains("spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive", text);
        Assert.Contains("spec.ports[2].name: Duplicate value: \"a\"", text);
    }

    [Fact]
    public void Validate_RequiresPortsAndForbidsNodePortOnClusterIp()
    {
        var noPorts = Service();
        noPorts.Spec.Ports = [];
        var errors = new List<FieldError>();
        _strategy.Validate(noPorts, errors);
        Assert.Contains("spec.ports: Required value", errors.Select(e => e.ToString()));

        var error = Assert.Throws<ApiException>(() => Create(_strategy, Service("c", "ClusterIP", new V1ServicePort { Port = 80, NodePort = 30001 })));
        Assert.Contains("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'", error.Message);
    }

    [Fact]
    public void Validate_ServiceNamesAreDns1035Labels()
    {
        var service = Service("1web");
        Assert.Contains(Create(_strategy, service), e => e.StartsWith("metadata.name: Invalid value: \"1web\": a DNS-1035 label", StringComparison.Ordinal));
    }

    [Fact]
    public void Update_KeepsAllocationsTheClientLeftOut()
    {
        var old = Service("np", "NodePort");
        Create(_strategy, old);
        var updated = Service("np", "NodePort");

        Assert.Empty(Update(_strategy, updated, old));

        Assert.Equal(old.Spec.ClusterIP, updated.Spec.ClusterIP);
        Assert.Equal(old.Spec.Ports[0].NodePort, updated.Spec.Ports[0].NodePort);
        Assert.Equal(1, _allocators.NodePorts.Used);
    }

    [Fact]
    public void Update_ChangingClusterIp_IsImmutable()
    {
        var old = Service();
        Create(_strategy, old);
        var updated = Copy(old);
        updated.Spec.ClusterIP = "10.43.0.99";
        updated.Spec.ClusterIPs = ["10.43.0.99"];

        var errors = Update(_strategy, updated, old);

        Assert.Contains("spec.clusterIP: Invalid value: \"10.43.0.99\": field is immutable", errors);
        Assert.Contains("spec.clusterIPs[0]: Invalid value: [\"10.43.0.99\"]: may not change once set", errors);
    }

    [Fact]
    public void Update_ToNodePort_AllocatesPortsAndBackToClusterIpDropsThem()
    {
        var old = Service();
        Create(_strategy, old);
        var nodePort = Copy(old);
        nodePort.Spec.Type = "NodePort";

        Assert.Empty(Update(_strategy, nodePort, old));
        Assert.NotNull(nodePort.Spec.Ports[0].NodePort);
        Assert.Equal("Cluster", nodePort.Spec.ExternalTrafficPolicy);

        var back = Copy(nodePort);
        back.Spec.Type = "ClusterIP";
        back.Spec.ExternalTrafficPolicy = null;
        Assert.Empty(Update(_strategy, back, nodePort));
        Assert.Null(back.Spec.Ports[0].NodePort);
    }

    [Fact]
    public void Registry_CreateDefault_WiresTheGivenAllocators()
    {
        var allocators = ServiceAllocators.CreateDefault();
        var registry = ResourceRegistry.CreateDefault(allocators);

        var strategy = Assert.IsType<ServiceStrategy>(registry.Find("", "v1", "services")!.Strategy);
        Assert.Same(allocators, strategy.Allocators);
        Assert.NotNull(ResourceRegistry.CreateDefault().Find("", "v1", "services"));
    }
}
