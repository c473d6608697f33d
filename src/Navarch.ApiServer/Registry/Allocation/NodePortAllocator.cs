namespace Navarch.ApiServer.Registry.Allocation;

/// <summary>
/// Hands out Service node ports from a range (30000-32767 by default), as kube-apiserver's port allocator does: the
/// lowest ports of the range (min(max(16, size/32), 128)) are kept for ports asked for by number unless the rest is
/// full. Thread-safe; seed it at start with <see cref="MarkAllocated"/> from the stored Services.
/// </summary>
public sealed class NodePortAllocator
{
    private readonly AllocationBitmap _bitmap;

    public NodePortAllocator(int first = 30000, int last = 32767)
    {
        if (first < 1 || last > 65535 || last < first)
        {
            throw new ArgumentException($"node port range {first}-{last} is not valid");
        }

        First = first;
        Last = last;
        var size = last - first + 1;
        _bitmap = new AllocationBitmap(size, Math.Min(Math.Max(16, size / 32), 128));
    }

    public int First { get; }

    public int Last { get; }

    /// <summary>The range as Kubernetes prints it, e.g. <c>30000-32767</c>.</summary>
    public string Range => $"{First}-{Last}";

    public int Used => _bitmap.Used;

    public bool Contains(int port) => port >= First && port <= Last;

    /// <summary>Takes a free port; false when the range is full.</summary>
    public bool TryAllocateNext(out int port)
    {
        if (_bitmap.TryAllocateNext(out var offset))
        {
            port = First + offset;
            return true;
        }

        port = 0;
        return false;
    }

    /// <summary>Takes one requested port.</summary>
    public AllocationResult Allocate(int port)
    {
        if (!Contains(port))
        {
            return AllocationResult.OutOfRange;
        }

        return _bitmap.TryAllocate(port - First) ? AllocationResult.Allocated : AllocationResult.AlreadyAllocated;
    }

    public bool IsAllocated(int port) => Contains(port) && _bitmap.IsAllocated(port - First);

    /// <summary>Records a port a stored Service already holds; ports outside the range are ignored.</summary>
    public void MarkAllocated(int port)
    {
        if (Contains(port))
        {
            _bitmap.Mark(port - First);
        }
    }

    /// <summary>Gives a port back; ports outside the range or not held are ignored.</summary>
    public void Release(int port)
    {
        if (Contains(port))
        {
            _bitmap.Release(port - First);
        }
    }
}
