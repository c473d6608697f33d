using System.Text;
using k8s.Models;
using Navarch.ApiServer.Printing;

namespace Navarch.ApiServer.Tests.Printing;

public sealed class SimpleTableConvertorTests
{
    [Fact]
    public void Namespace_Cells_ShowPhase()
    {
        var ns = new V1Namespace { Metadata = PrintedRow.Meta("team-a", TimeSpan.FromDays(20)), Status = new V1NamespaceStatus { Phase = "Active" } };

        var row = PrintedRow.Print(new NamespaceTableConvertor(), ns);

        Assert.Equal(["team-a", "Active", "20d"], row.Cells);
    }

    [Fact]
    public void ConfigMap_Cells_CountDataAndBinaryData()
    {
        var configMap = new V1ConfigMap
        {
            Metadata = PrintedRow.Meta("settings"),
            Data = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" },
            BinaryData = new Dictionary<string, byte[]> { ["c"] = [1] },
        };

        Assert.Equal(["settings", 3L, "5m"], PrintedRow.Print(new ConfigMapTableConvertor(), configMap).Cells);
    }

    [Fact]
    public void Secret_Cells_ShowTypeAndDataCount()
    {
        var secret = new V1Secret { Metadata = PrintedRow.Meta("creds"), Type = "Opaque", Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes("x") } };
        var table = new SecretTableConvertor();

        Assert.Equal(["Name", "Type", "Data", "Age"], table.Columns.Select(c => c.Name));
        Assert.Equal(["creds", "Opaque", 1L, "5m"], PrintedRow.Print(table, secret).Cells);
    }

    [Fact]
    public void ServiceAccount_Cells_CountSecrets()
    {
        var account = new V1ServiceAccount { Metadata = PrintedRow.Meta("default") };

        Assert.Equal(["default", 0L, "5m"], PrintedRow.Print(new ServiceAccountTableConvertor(), account).Cells);
    }

    [Fact]
    public void Lease_Cells_ShowHolderOrEmpty()
    {
        var held = new V1Lease { Metadata = PrintedRow.Meta("kube-scheduler"), Spec = new V1LeaseSpec { HolderIdentity = "node-1_abc" } };
        var free = new V1Lease { Metadata = PrintedRow.Meta("free"), Spec = new V1LeaseSpec() };
        var table = new LeaseTableConvertor();

        Assert.Equal("node-1_abc", PrintedRow.Print(table, held)["Holder"]);
        Assert.Equal("", PrintedRow.Print(table, free)["Holder"]);
    }

    [Fact]
    public void PriorityClass_Cells_ShowValueDefaultAndPreemptionPolicy()
    {
        var priorityClass = new V1PriorityClass
        {
            Metadata = PrintedRow.Meta("system-node-critical"),
            Value = 2000001000,
            GlobalDefault = false,
            PreemptionPolicy = "PreemptLowerPriority",
        };
        var table = new PriorityClassTableConvertor();

        var row = PrintedRow.Print(table, priorityClass);

        Assert.Equal(["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"], table.Columns.Select(c => c.Name));
        Assert.All(table.Columns, c => Assert.Equal(0, c.Priority));
        Assert.Equal(2000001000L, row["Value"]);
        Assert.Equal(false, row["Global-Default"]);
        Assert.Equal("PreemptLowerPriority", row["PreemptionPolicy"]);
    }

    [Fact]
    public void Endpoints_Cells_ShowFirstThreeThenMore()
    {
        var endpoints = new V1Endpoints
        {
            Metadata = PrintedRow.Meta("web"),
            Subsets =
            [
                new V1EndpointSubset
                {
                    Addresses = Enumerable.Range(5, 5).Select(i => new V1EndpointAddress { Ip = "10.42.0." + i }).ToList(),
                    Ports = [new Corev1EndpointPort { Port = 80 }],
                },
            ],
        };

        Assert.Equal("10.42.0.5:80,10.42.0.6:80,10.42.0.7:80 + 2 more...", PrintedRow.Print(new EndpointsTableConvertor(), endpoints)["Endpoints"]);
    }

    [Fact]
    public void Endpoints_Cells_CountEveryPortAndBracketIPv6()
    {
        var endpoints = new V1Endpoints
        {
            Metadata = PrintedRow.Meta("web"),
            Subsets =
            [
                new V1EndpointSubset
                {
                    Addresses = [new V1EndpointAddress { Ip = "fd00::5" }, new V1EndpointAddress { Ip = "fd00::6" }],
                    Ports = [new Corev1EndpointPort { Port = 80 }, new Corev1EndpointPort { Port = 443 }],
                },
            ],
        };

        Assert.Equal("[fd00::5]:80,[fd00::6]:80,[fd00::5]:443 + 1 more...", PrintedRow.Print(new EndpointsTableConvertor(), endpoints)["Endpoints"]);
    }

    [Fact]
    public void Endpoints_Cells_HeadlessWithoutPortsOrNoSubsets()
    {
        var table = new EndpointsTableConvertor();
        var headless = new V1Endpoints
        {
            Metadata = PrintedRow.Meta("db"),
            Subsets = [new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "10.42.0.9" }] }],
        };

        Assert.Equal("10.42.0.9", PrintedRow.Print(table, headless)["Endpoints"]);
        Assert.Equal("<none>", PrintedRow.Print(table, new V1Endpoints { Metadata = PrintedRow.Meta("empty") })["Endpoints"]);
    }

    [Fact]
    public void EndpointSlice_Cells_ShowAddressTypePortsAndEndpoints()
    {
        var slice = new V1EndpointSlice
        {
            Metadata = PrintedRow.Meta("web-abcde"),
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Port = 80 }, new Discoveryv1EndpointPort { Name = "metrics" }, new Discoveryv1EndpointPort()],
            Endpoints = Enumerable.Range(1, 4).Select(i => new V1Endpoint { Addresses = ["10.42.0." + i] }).ToList(),
        };

        var row = PrintedRow.Print(new EndpointSliceTableConvertor(), slice);

        Assert.Equal("IPv4", row["AddressType"]);
        Assert.Equal("80,metrics,*", row["Ports"]);
        Assert.Equal("10.42.0.1,10.42.0.2,10.42.0.3 + 1 more...", row["Endpoints"]);
    }

    [Fact]
    public void EndpointSlice_Cells_EmptyListsAreUnset()
    {
        var row = PrintedRow.Print(new EndpointSliceTableConvertor(), new V1EndpointSlice { Metadata = PrintedRow.Meta("x"), AddressType = "IPv4" });

        Assert.Equal("<unset>", row["Ports"]);
        Assert.Equal("<unset>", row["Endpoints"]);
    }

    [Fact]
    public void Default_Cells_ShowNameAndRfc3339CreationTime()
    {
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = "x", CreationTimestamp = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc) } };

        Assert.Equal(["x", "2025-01-02T03:04:05Z"], PrintedRow.Print(DefaultTableConvertor.Instance, ns).Cells);
    }
}
