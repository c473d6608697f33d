using System.Numerics;

namespace Navarch.ApiServer.Registry.Allocation;

/// <summary>
/// A thread-safe set of offsets [0, size) kept as a bitmap. As kube-apiserver's allocators do, the range is split in
/// a lower "static" band, kept for values clients ask for by number, and an upper dynamic band that automatic
/// allocation uses first; automatic allocation falls back to the static band only when the upper one is full.
/// A rotating pointer makes consecutive allocations cheap and spreads reuse of released values.
/// </summary>
internal sealed class AllocationBitmap
{
    private readonly Lock _lock = new();
    private readonly ulong[] _words;
    private readonly int _staticSize;
    private int _nextDynamic;
    private int _nextStatic;
    private int _used;

    public AllocationBitmap(int size, int staticSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfNegative(staticSize);
        Size = size;
        _staticSize = Math.Min(staticSize, size);
        _words = new ulong[(size + 63) / 64];
        _nextDynamic = _staticSize;
    }

    public int Size { get; }

    public int Used
    {
        get
        {
            lock (_lock)
            {
                return _used;
            }
        }
    }

    /// <summary>Takes a free offset, preferring the dynamic band; false when the range is full.</summary>
    public bool TryAllocateNext(out int offset)
    {
        lock (_lock)
        {
            if (_staticSize < Size && TryScan(_staticSize, Size, ref _nextDynamic, out offset))
            {
                return true;
            }

            if (_staticSize > 0 && TryScan(0, _staticSize, ref _nextStatic, out offset))
            {
                return true;
            }

            offset = -1;
            return false;
        }
    }

    /// <summary>Takes <paramref name="offset"/> if it is free.</summary>
    public bool TryAllocate(int offset)
    {
        lock (_lock)
        {
            if (IsSet(offset))
            {
                return false;
            }

            Set(offset);
            return true;
        }
    }

    public bool IsAllocated(int offset)
    {
        lock (_lock)
        {
            return IsSet(offset);
        }
    }

    /// <summary>Marks <paramref name="offset"/> held whether or not it already was (start-up seeding).</summary>
    public void Mark(int offset)
    {
        lock (_lock)
        {
            if (!IsSet(offset))
            {
                Set(offset);
            }
        }
    }

    public void Release(int offset)
    {
        lock (_lock)
        {
            if (IsSet(offset))
            {
                _words[offset >> 6] &= ~(1UL << (offset & 63));
                _used--;
            }
        }
    }

    private bool IsSet(int offset) => (_words[offset >> 6] & (1UL << (offset & 63))) != 0;

    private void Set(int offset)
    {
        _words[offset >> 6] |= 1UL << (offset & 63);
        _used++;
    }

    // Looks for a clear bit in [from, to), starting at the band's pointer and wrapping once; a word at a time.
    private bool TryScan(int from, int to, ref int next, out int offset)
    {
        var start = next < from || next >= to ? from : next;
        if (TryScanRange(start, to, out offset) || TryScanRange(from, start, out offset))
        {
            next = offset + 1 >= to ? from : offset + 1;
            Set(offset);
            return true;
        }

        return false;
    }

    private bool TryScanRange(int from, int to, out int offset)
    {
        var position = from;
        while (position < to)
        {
            var word = position >> 6;
            var bit = position & 63;
            var free = ~_words[word] & (ulong.MaxValue << bit);
            if (free != 0)
            {
                var candidate = (word << 6) + BitOperations.TrailingZeroCount(free);
                if (candidate < to)
                {
                    offset = candidate;
                    return true;
                }

                break;
            }

            position = (word + 1) << 6;
        }

        offset = -1;
        return false;
    }
}
