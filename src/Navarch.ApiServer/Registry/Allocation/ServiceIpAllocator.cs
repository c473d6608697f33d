using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Navarch.ApiServer.Registry.Allocation;

/// <summary>
/// Hands out Service cluster IPs from an IPv4 CIDR (10.43.0.0/16 by default), as kube-apiserver's bitmap allocator
/// does: the network and broadcast addresses are never given, and the lowest addresses (min(max(16, size/16), 256))
/// are kept for IPs asked for by number (the <c>kubernetes</c> service's .1, cluster DNS's .10) unless the rest is full.
/// Thread-safe; seed it at start with <see cref="MarkAllocated"/> from the stored Services.
/// </summary>
public sealed class ServiceIpAllocator
{
    private readonly uint _first;
    private readonly AllocationBitmap _bitmap;

    public ServiceIpAllocator(string cidr)
    {
        ArgumentException.ThrowIfNullOrEmpty(cidr);
        if (!IPNetwork.TryParse(cidr, out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"service CIDR \"{cidr}\" is not a valid IPv4 CIDR", nameof(cidr));
        }

        // Like kube-apiserver, refuse ranges whose bitmap would be needlessly large, and ranges with no usable address.
        if (network.PrefixLength < 12 || network.PrefixLength > 30)
        {
            throw new ArgumentException($"service CIDR \"{cidr}\" must have a prefix length between 12 and 30", nameof(cidr));
        }

        Cidr = network.ToString();
        _first = ToUInt(network.BaseAddress) + 1;
        var size = (int)((1u << (32 - network.PrefixLength)) - 2);
        _bitmap = new AllocationBitmap(size, Math.Min(Math.Max(16, size / 16), 256));
    }

    /// <summary>The range, normalized (e.g. <c>10.43.0.0/16</c>).</summary>
    public string Cidr { get; }

    /// <summary>How many addresses can be given out in all.</summary>
    public int Size => _bitmap.Size;

    public int Used => _bitmap.Used;

    public bool Contains(IPAddress ip) => TryOffset(ip, out _);

    /// <summary>Takes a free address; false when the range is full.</summary>
    public bool TryAllocateNext(out IPAddress ip)
    {
        if (_bitmap.TryAllocateNext(out var offset))
        {
            ip = FromUInt(_first + (uint)offset);
            return true;
        }

        ip = IPAddress.None;
        return false;
    }

    /// <summary>Takes one requested address.</summary>
    public AllocationResult Allocate(IPAddress ip)
    {
        if (!TryOffset(ip, out var offset))
        {
            return AllocationResult.OutOfRange;
        }

        return _bitmap.TryAllocate(offset) ? AllocationResult.Allocated : AllocationResult.AlreadyAllocated;
    }

    public bool IsAllocated(IPAddress ip) => TryOffset(ip, out var offset) && _bitmap.IsAllocated(offset);

    /// <summary>Records an address a stored Service already holds; addresses outside the range are ignored.</summary>
    public void MarkAllocated(IPAddress ip)
    {
        if (TryOffset(ip, out var offset))
        {
            _bitmap.Mark(offset);
        }
    }

    /// <summary>Gives an address back; addresses outside the range or not held are ignored.</summary>
    public void Release(IPAddress ip)
    {
        if (TryOffset(ip, out var offset))
        {
            _bitmap.Release(offset);
        }
    }

    private bool TryOffset(IPAddress ip, out int offset)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        offset = -1;
        if (ip.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var value = ToUInt(ip);
        if (value < _first || value - _first >= (uint)_bitmap.Size)
        {
            return false;
        }

        offset = (int)(value - _first);
        return true;
    }

    private static uint ToUInt(IPAddress ip)
    {
        Span<byte> bytes = stackalloc byte[4];
        ip.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static IPAddress FromUInt(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
