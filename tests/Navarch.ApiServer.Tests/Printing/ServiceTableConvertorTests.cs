using k8s.Models;
using Navarch.ApiServer.Printing;

namespace Navarch.ApiServer.Tests.Printing;

public sealed class ServiceTableConvertorTests
{
    private readonly ServiceTableConvertor _table = new();

    private static V1Service Service(string type, params V1ServicePort[] ports) => new()
    {
        Metadata = PrintedRow.Meta("web"),
        Spec = new V1ServiceSpec { Type = type, ClusterIP = "10.43.0.20", ClusterIPs = ["10.43.0.20"], Ports = ports },
    };

    [Fact]
    public void Columns_MatchKubernetesServiceColumns() =>
        Assert.Equal(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"], _table.Columns.Select(c => c.Name));

    [Fact]
    public void Cells_ClusterIP_ShowsPortsAndNoneExternal()
    {
        var service = Service("ClusterIP", new V1ServicePort { Port = 80, Protocol = "TCP" }, new V1ServicePort { Port = 53, Protocol = "UDP" });
        service.Spec.Selector = new Dictionary<string, string> { ["tier"] = "web", ["app"] = "shop" };

        var row = PrintedRow.Print(_table, service);

        Assert.Equal("ClusterIP", row["Type"]);
        Assert.Equal("10.43.0.20", row["Cluster-IP"]);
        Assert.Equal("<none>", row["External-IP"]);
        Assert.Equal("80/TCP,53/UDP", row["Port(s)"]);
        Assert.Equal("app=shop,tier=web", row["Selector"]);
    }

    [Fact]
    public void Cells_NodePort_ShowsPortAndNodePort()
    {
        var row = PrintedRow.Print(_table, Service("NodePort", new V1ServicePort { Port = 80, NodePort = 30080, Protocol = "TCP" }));

        Assert.Equal("80:30080/TCP", row["Port(s)"]);
        Assert.Equal("<none>", row["External-IP"]);
        Assert.Equal("<none>", row["Selector"]);
    }

    [Fact]
    public void Cells_LoadBalancerWithoutIngress_ShowsPending()
    {
        var row = PrintedRow.Print(_table, Service("LoadBalancer", new V1ServicePort { Port = 443, NodePort = 31443, Protocol = "TCP" }));

        Assert.Equal("<pending>", row["External-IP"]);
    }

    [Fact]
    public void Cells_LoadBalancerWithIngressAndExternalIPs_ListsSortedIngressThenExternal()
    {
        var service = Service("LoadBalancer", new V1ServicePort { Port = 443, Protocol = "TCP" });
        service.Spec.ExternalIPs = ["1.2.3.4"];
        service.Status = new V1ServiceStatus
        {
            LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "192.168.1.20" }, new V1LoadBalancerIngress { Hostname = "lb.example.com" }] },
        };

        Assert.Equal("192.168.1.20,lb.example.com,1.2.3.4", PrintedRow.Print(_table, service)["External-IP"]);
    }

    [Fact]
    public void Cells_HeadlessWithoutPorts_ShowsNoneClusterIPAndNonePorts()
    {
        var service = Service("ClusterIP");
        service.Spec.ClusterIP = "None";
        service.Spec.ClusterIPs = ["None"];

        var row = PrintedRow.Print(_table, service);

        Assert.Equal("None", row["Cluster-IP"]);
        Assert.Equal("<none>", row["Port(s)"]);
    }

    [Fact]
    public void Cells_ExternalName_ShowsExternalNameAndNoClusterIP()
    {
        var service = new V1Service { Metadata = PrintedRow.Meta("ext"), Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "db.example.com" } };

        var row = PrintedRow.Print(_table, service);

        Assert.Equal("<none>", row["Cluster-IP"]);
        Assert.Equal("db.example.com", row["External-IP"]);
    }
}
