using System.Net;
using Navarch.Controllers.NodeIpam;

namespace Navarch.Controllers.Tests.NodeIpam;

public sealed class CidrSetTests
{
    [Fact]
    public void TryAllocateNext_HandsOutDistinctBlocksInOrder()
    {
        var set = new CidrSet(IPNetwork.Parse("10.42.0.0/16"), 24);

        Assert.True(set.TryAllocateNext(out var first));
        Assert.True(set.TryAllocateNext(out var second));

        Assert.Equal("10.42.0.0/24", first.ToString());
        Assert.Equal("10.42.1.0/24", second.ToString());
        Assert.Equal(256, set.Capacity);
    }

    [Fact]
    public void TryAllocateNext_SkipsOccupiedBlocks()
    {
        var set = new CidrSet(IPNetwork.Parse("10.42.0.0/16"), 24);
        Assert.True(set.Occupy(IPNetwork.Parse("10.42.0.0/24")));
        Assert.True(set.Occupy(IPNetwork.Parse("10.42.1.0/24")));

        Assert.True(set.TryAllocateNext(out var cidr));

        Assert.Equal("10.42.2.0/24", cidr.ToString());
    }

    [Fact]
    public void TryAllocateNext_WhenFull_FailsUntilReleased()
    {
        var set = new CidrSet(IPNetwork.Parse("10.42.0.0/23"), 24);
        Assert.True(set.TryAllocateNext(out var first));
        Assert.True(set.TryAllocateNext(out _));

        Assert.False(set.TryAllocateNext(out _));
        Assert.True(set.Release(first));
        Assert.True(set.TryAllocateNext(out var again));

        Assert.Equal(first, again);
    }

    [Fact]
    public void Occupy_OutsideClusterCidr_ReturnsFalse()
    {
        var set = new CidrSet(IPNetwork.Parse("10.42.0.0/16"), 24);

        Assert.False(set.Occupy(IPNetwork.Parse("10.43.0.0/24")));
        Assert.Equal(0, set.Allocated);
    }

    [Fact]
    public void TryAllocateNext_Ipv6_GivesNodeSizedBlocks()
    {
        var set = new CidrSet(IPNetwork.Parse("fd00:42::/56"), 64);

        Assert.True(set.TryAllocateNext(out _));
        Assert.True(set.TryAllocateNext(out var second));

        Assert.Equal("fd00:42:0:1::/64", second.ToString());
    }

    [Fact]
    public void Constructor_MaskTooFarFromClusterPrefix_Throws() =>
        Assert.Throws<ArgumentException>(() => new CidrSet(IPNetwork.Parse("10.0.0.0/8"), 28));
}
