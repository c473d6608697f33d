namespace Navarch.Storage.Internal;

/// <summary>The revision checks every backend applies the same way, with etcd's errors.</summary>
internal static class Revisions
{
    /// <summary>Resolves a requested read revision (0 = current) against the store's current and compact revisions.</summary>
    public static long ResolveRead(long requested, long current, long compacted)
    {
        if (requested < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(requested), requested, "A revision cannot be negative.");
        }

        if (requested == 0)
        {
            return current;
        }

        if (requested > current)
        {
            throw new FutureRevisionException(requested, current);
        }

        if (requested < compacted)
        {
            throw new CompactedException(requested, compacted);
        }

        return requested;
    }

    /// <summary>As etcd: compacting beyond the current revision or at/below the last compaction is an error.</summary>
    public static void CheckCompact(long requested, long current, long compacted)
    {
        if (requested > current)
        {
            throw new FutureRevisionException(requested, current);
        }

        if (requested <= compacted)
        {
            throw new CompactedException(requested, compacted);
        }
    }

    /// <summary>A watch or history read that starts at afterRevision + 1 needs that revision to be uncompacted.</summary>
    public static void CheckHistory(long afterRevision, long compacted)
    {
        if (afterRevision + 1 < compacted)
        {
            throw new CompactedException(afterRevision + 1, compacted);
        }
    }
}
