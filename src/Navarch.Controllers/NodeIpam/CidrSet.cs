using System.Net;
using System.Net.Sockets;

namespace Navarch.Controllers.NodeIpam;

/// <summary>
/// The node-sized blocks of a cluster CIDR and which of them are taken, as kube-controller-manager's cidrset:
/// blocks are handed out round-robin from the last one allocated, so a block released by a deleted node is not
/// reused at once. Not thread-safe; the owner locks.
/// </summary>
internal sealed class CidrSet
{
    /// <summary>As upstream, at most 2^16 blocks per cluster CIDR, so the bitmap stays small.</summary>
    public const int MaxPrefixDifference = 16;

    private readonly UInt128 _base;
    private readonly int _addressBits;
    private readonly int _clusterPrefix;
    private readonly int _nodeMaskSize;
    private readonly bool[] _used;
    private int _next;
    private int _allocated;

    public CidrSet(IPNetwork cluster, int nodeMaskSize)
    {
        _addressBits = cluster.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        _clusterPrefix = cluster.PrefixLength;
        if (nodeMaskSize < _clusterPrefix || nodeMaskSize > _addressBits)
        {
            throw new ArgumentException($"invalid node CIDR mask size {nodeMaskSize} for cluster CIDR {cluster}");
        }

        if (nodeMaskSize - _clusterPrefix > MaxPrefixDifference)
        {
            throw new ArgumentException("CIDRSet.NewCIDRSet: the size of cluster CIDR and the node CIDR mask size differ by more than 16 bits");
        }

        Cluster = cluster;
        _nodeMaskSize = nodeMaskSize;
        _base = ToNumber(cluster.BaseAddress);
        _used = new bool[1 << (nodeMaskSize - _clusterPrefix)];
    }

    public IPNetwork Cluster { get; }

    /// <summary>How many node blocks the cluster CIDR holds.</summary>
    public int Capacity => _used.Length;

    public int Allocated => _allocated;

    /// <summary>The next free block after the last one handed out; false when every block is taken.</summary>
    public bool TryAllocateNext(out IPNetwork cidr)
    {
        for (var i = 0; i < _used.Length; i++)
        {
            var candidate = (_next + i) % _used.Length;
            if (_used[candidate]) continue;
            _used[candidate] = true;
            _allocated++;
            _next = (candidate + 1) % _used.Length;
            cidr = Block(candidate);
            return true;
        }

        cidr = default;
        return false;
    }

    /// <summary>Marks every block <paramref name="cidr"/> overlaps as taken; false when it lies outside the cluster CIDR.</summary>
    public bool Occupy(IPNetwork cidr) => Mark(cidr, used: true);

    /// <summary>Frees every block <paramref name="cidr"/> overlaps; false when it lies outside the cluster CIDR.</summary>
    public bool Release(IPNetwork cidr) => Mark(cidr, used: false);

    private bool Mark(IPNetwork cidr, bool used)
    {
        if (!TryRange(cidr, out var first, out var last)) return false;
        for (var i = first; i <= last; i++)
        {
            if (_used[i] == used) continue;
            _used[i] = used;
            _allocated += used ? 1 : -1;
        }

        return true;
    }

    private bool TryRange(IPNetwork cidr, out int first, out int last)
    {
        first = last = 0;
        if (cidr.BaseAddress.AddressFamily != Cluster.BaseAddress.AddressFamily) return false;
        if (cidr.PrefixLength < _clusterPrefix || !Cluster.Contains(cidr.BaseAddress)) return false;
        var shift = _addressBits - _nodeMaskSize;
        var offset = ToNumber(cidr.BaseAddress) - _base;
        first = (int)(offset >> shift);
        if (cidr.PrefixLength >= _nodeMaskSize)
        {
            last = first;
        }
        else
        {
            // A CIDR larger than one block covers 2^(mask - prefix) blocks.
            last = first + (1 << (_nodeMaskSize - cidr.PrefixLength)) - 1;
        }

        return last < _used.Length;
    }

    private IPNetwork Block(int index)
    {
        var address = _base + ((UInt128)(uint)index << (_addressBits - _nodeMaskSize));
        return new IPNetwork(ToAddress(address), _nodeMaskSize);
    }

    private UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        UInt128 value = 0;
        for (var i = 0; i < written; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    private IPAddress ToAddress(UInt128 value)
    {
        var length = _addressBits / 8;
        Span<byte> bytes = stackalloc byte[16];
        for (var i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }

        return new IPAddress(bytes[..length]);
    }
}
