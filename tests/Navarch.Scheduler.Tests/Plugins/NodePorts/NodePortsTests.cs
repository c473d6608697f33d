using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.NodePorts.NodePorts;

namespace Navarch.Scheduler.Tests.Plugins.NodePorts;

public sealed class NodePortsTests
{
    private readonly Plugin _plugin = (Plugin)Plugin.New(null, new PluginTestHandle());

    /// <summary>"PROTO/IP/PORT" entries, as in Kubernetes' node_ports_test table.</summary>
    private static PodBuilder WithPorts(string name, params string[] ports)
    {
        var builder = PodBuilder.Pod(name);
        foreach (var spec in ports)
        {
            var parts = spec.Split('/');
            builder.HostPort(int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), parts[0], parts[1]);
        }

        return builder;
    }

    public static TheoryData<string[], string[], bool> Cases => new()
    {
        { [], [], true },
        { ["UDP/127.0.0.1/8080"], ["UDP/127.0.0.1/9090"], true },
        { ["UDP/127.0.0.1/8080"], ["UDP/127.0.0.1/8080"], false },
        { ["TCP/127.0.0.1/8080"], ["TCP/127.0.0.1/8080"], false },
        { ["TCP/127.0.0.1/8080"], ["TCP/127.0.0.2/8080"], true },
        { ["UDP/127.0.0.1/8080"], ["TCP/127.0.0.1/8080"], true },
        { ["UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"], ["UDP/127.0.0.1/8080"], false },
        { ["TCP/0.0.0.0/8001", "UDP/127.0.0.1/8000"], ["TCP/127.0.0.1/8001"], false },
        { ["TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"], ["TCP/127.0.0.1/8001"], false },
        { ["TCP/127.0.0.1/8001"], ["TCP/0.0.0.0/8001"], false },
        { ["UDP/0.0.0.0/8001"], ["TCP/0.0.0.0/8001"], true },
        { ["UDP/0.0.0.0/8001"], ["TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001"], false },
        { ["TCP//8001"], ["TCP/10.0.0.1/8001"], false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Filter_HostPortConflicts_AsKubernetes(string[] wanted, string[] existing, bool fits)
    {
        var node = NodeBuilder.Node("n").WithPod(WithPorts("existing", existing)).Info();

        var status = PluginTestRunner.Filter(_plugin, WithPorts("p", wanted), node);

        Assert.Equal(fits, status.IsSuccess);
        if (!fits)
        {
            Assert.Equal(StatusCode.Unschedulable, status.Code);
            Assert.Equal("node(s) didn't have free ports for the requested pod ports", status.Message);
        }
    }

    [Fact]
    public void PreFilter_WithoutHostPorts_Skips()
    {
        var (_, status) = _plugin.PreFilter(new CycleState(), PodBuilder.Pod("p"), []);
        Assert.True(status.IsSkip);
    }

    [Fact]
    public void Filter_WithoutPreFilterState_IsError()
    {
        var status = _plugin.Filter(new CycleState(), WithPorts("p", "TCP/0.0.0.0/80"), NodeBuilder.Node("n").Info());
        Assert.Equal(StatusCode.Error, status.Code);
    }

    [Fact]
    public void Filter_SidecarPortsCountButRegularInitContainerPortsDoNot()
    {
        var existing = PodBuilder.Pod("existing")
            .InitReq(sidecar: false)
            .InitReq(sidecar: true)
            .Configure(p =>
            {
                p.Spec.InitContainers[0].Ports = [new() { ContainerPort = 80, HostPort = 80 }];
                p.Spec.InitContainers[1].Ports = [new() { ContainerPort = 81, HostPort = 81 }];
            });
        var node = NodeBuilder.Node("n").WithPod(existing).Info();

        Assert.True(PluginTestRunner.Filter(_plugin, WithPorts("p", "TCP/0.0.0.0/80"), node).IsSuccess);
        Assert.False(PluginTestRunner.Filter(_plugin, WithPorts("p", "TCP/0.0.0.0/81"), node).IsSuccess);
    }

    [Fact]
    public void EventsToRegister_AssignedPodDeleteAndNodeAdd()
    {
        var events = _plugin.EventsToRegister();
        Assert.Contains(events, e => e.Covers(ClusterEvent.AssignedPodDelete));
        Assert.Contains(events, e => e.Covers(ClusterEvent.NodeAdd));
    }
}
