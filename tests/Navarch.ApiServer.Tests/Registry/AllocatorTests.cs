using System.Collections.Concurrent;
using System.Net;
using k8s.Models;
using Navarch.ApiServer.Registry.Allocation;

namespace Navarch.ApiServer.Tests.Registry;

public sealed class AllocatorTests
{
    [Fact]
    public void ServiceIp_AllocateNext_StartsAboveTheStaticBand()
    {
        var allocator = new ServiceIpAllocator("10.43.0.0/16");

        Assert.True(allocator.TryAllocateNext(out var first));
        Assert.True(allocator.TryAllocateNext(out var second));

        // /16 keeps the lowest 256 addresses for IPs asked for by number (10.43.0.1, 10.43.0.10).
        Assert.Equal(IPAddress.Parse("10.43.1.1"), first);
        Assert.Equal(IPAddress.Parse("10.43.1.2"), second);
        Assert.Equal(2, allocator.Used);
    }

    [Fact]
    public void ServiceIp_AllocateSpecific_ReportsConflictsAndRange()
    {
        var allocator = new ServiceIpAllocator("10.43.0.0/16");

        Assert.Equal(AllocationResult.Allocated, allocator.Allocate(IPAddress.Parse("10.43.0.10")));
        Assert.Equal(AllocationResult.AlreadyAllocated, allocator.Allocate(IPAddress.Parse("10.43.0.10")));
        Assert.Equal(AllocationResult.OutOfRange, allocator.Allocate(IPAddress.Parse("10.44.0.1")));
        Assert.Equal(AllocationResult.OutOfRange, allocator.Allocate(IPAddress.Parse("10.43.0.0")));
        Assert.Equal(AllocationResult.OutOfRange, allocator.Allocate(IPAddress.Parse("10.43.255.255")));
        Assert.Equal(AllocationResult.Allocated, allocator.Allocate(IPAddress.Parse("10.43.255.254")));
    }

    [Fact]
    public void ServiceIp_WhenFull_FailsUntilReleased()
    {
        var allocator = new ServiceIpAllocator("10.0.0.0/29");
        var taken = new List<IPAddress>();
        while (allocator.TryAllocateNext(out var ip))
        {
            taken.Add(ip);
        }

        Assert.Equal(6, taken.Count);
        Assert.Equal(6, taken.Distinct().Count());
        Assert.False(allocator.TryAllocateNext(out _));

        allocator.Release(IPAddress.Parse("10.0.0.3"));
        Assert.True(allocator.TryAllocateNext(out var again));
        Assert.Equal(IPAddress.Parse("10.0.0.3"), again);
    }

    [Fact]
    public void ServiceIp_MarkAllocated_KeepsSeededAddressesFromBeingReused()
    {
        var allocator = new ServiceIpAllocator("10.0.0.0/29");
        allocator.MarkAllocated(IPAddress.Parse("10.0.0.1"));
        allocator.MarkAllocated(IPAddress.Parse("10.0.0.1"));
        allocator.MarkAllocated(IPAddress.Parse("192.168.0.1"));

        Assert.Equal(1, allocator.Used);
        Assert.Equal(AllocationResult.AlreadyAllocated, allocator.Allocate(IPAddress.Parse("10.0.0.1")));
        Assert.True(allocator.TryAllocateNext(out var next));
        Assert.NotEqual(IPAddress.Parse("10.0.0.1"), next);
    }

    [Fact]
    public void ServiceIp_RejectsBadCidrs()
    {
        Assert.Throws<ArgumentException>(() => new ServiceIpAllocator("not-a-cidr"));
        Assert.Throws<ArgumentException>(() => new ServiceIpAllocator("10.0.0.0/8"));
        Assert.Throws<ArgumentException>(() => new ServiceIpAllocator("fd00::/112"));
    }

    [Fact]
    public void NodePort_AllocatesWholeRangeOnceThenFails()
    {
        var allocator = new NodePortAllocator(30000, 30099);
        var ports = new HashSet<int>();
        while (allocator.TryAllocateNext(out var port))
        {
            Assert.InRange(port, 30000, 30099);
            Assert.True(ports.Add(port));
        }

        Assert.Equal(100, ports.Count);
        Assert.Equal(AllocationResult.AlreadyAllocated, allocator.Allocate(30050));
        allocator.Release(30050);
        Assert.Equal(AllocationResult.Allocated, allocator.Allocate(30050));
    }

    [Fact]
    public void NodePort_AllocateNext_PrefersUpperBandAndRotates()
    {
        var allocator = new NodePortAllocator();
        Assert.True(allocator.TryAllocateNext(out var first));
        allocator.Release(first);
        Assert.True(allocator.TryAllocateNext(out var second));

        Assert.Equal(30086, first); // min(max(16, 2768/32), 128) = 86 ports are kept for requests.
        Assert.Equal(30087, second); // the pointer moves on instead of handing the released port straight back
        Assert.Equal(AllocationResult.OutOfRange, allocator.Allocate(32768));
        Assert.Equal(AllocationResult.OutOfRange, allocator.Allocate(29999));
    }

    [Fact]
    public void NodePort_ConcurrentAllocations_AreUnique()
    {
        var allocator = new NodePortAllocator();
        var ports = new ConcurrentBag<int>();
        Parallel.For(0, 2768, _ =>
        {
            Assert.True(allocator.TryAllocateNext(out var port));
            ports.Add(port);
        });

        Assert.Equal(2768, ports.Distinct().Count());
        Assert.False(allocator.TryAllocateNext(out _));
    }

    [Fact]
    public void Seed_MarksClusterIpsNodePortsAndHealthCheckPorts()
    {
        var allocators = ServiceAllocators.CreateDefault();
        allocators.Seed(
        [
            new V1Service
            {
                Spec = new V1ServiceSpec
                {
                    ClusterIP = "10.43.0.1",
                    ClusterIPs = ["10.43.0.1"],
                    Ports = [new V1ServicePort { Port = 80, NodePort = 30080 }],
                    HealthCheckNodePort = 31000,
                },
            },
            new V1Service { Spec = new V1ServiceSpec { ClusterIP = "None" } },
            new V1Service(),
        ]);

        Assert.True(allocators.ClusterIps.IsAllocated(IPAddress.Parse("10.43.0.1")));
        Assert.True(allocators.NodePorts.IsAllocated(30080));
        Assert.True(allocators.NodePorts.IsAllocated(31000));
        Assert.Equal(1, allocators.ClusterIps.Used);
    }
}
