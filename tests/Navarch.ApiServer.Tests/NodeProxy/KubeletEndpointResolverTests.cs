using k8s.Models;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.NodeProxy;

namespace Navarch.ApiServer.Tests.NodeProxy;

public sealed class KubeletEndpointResolverTests
{
    [Fact]
    public void Resolve_PrefersInternalIp_AndUsesTheReportedPort()
    {
        var node = Node(10255, ("ExternalIP", "203.0.113.5"), ("Hostname", "worker-1"), ("InternalIP", "10.0.0.7"));

        Assert.Equal(new KubeletEndpoint("10.0.0.7", 10255), KubeletEndpointResolver.Resolve(node));
    }

    [Fact]
    public void Resolve_WithoutInternalIp_FallsBackToHostname_AndTheDefaultPort()
    {
        var node = Node(null, ("ExternalIP", "203.0.113.5"), ("Hostname", "worker-1"));

        Assert.Equal(new KubeletEndpoint("worker-1", KubeletEndpointResolver.DefaultPort), KubeletEndpointResolver.Resolve(node));
    }

    [Fact]
    public void Resolve_WithoutAddresses_IsInternalErrorListingWhatIsKnown()
    {
        var error = Assert.Throws<ApiException>(() => KubeletEndpointResolver.Resolve(Node(10250)));

        Assert.Equal(500, error.Code);
        Assert.Contains("no preferred addresses found; known addresses: []", error.Message);
    }

    [Fact]
    public void Authority_BracketsIpv6Addresses()
    {
        Assert.Equal("[fd00::7]:10250", new KubeletEndpoint("fd00::7", 10250).Authority);
    }

    private static V1Node Node(int? port, params (string Type, string Address)[] addresses) => new()
    {
        Metadata = new V1ObjectMeta { Name = "n" },
        Status = new V1NodeStatus
        {
            Addresses = [.. addresses.Select(a => new V1NodeAddress { Type = a.Type, Address = a.Address })],
            DaemonEndpoints = port is null ? null : new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = port.Value } },
        },
    };
}
