namespace Navarch.Storage;

/// <summary>
/// A read or watch asked for a revision older than the last compaction, as etcd's ErrCompacted.
/// The API server turns it into 410 Gone (reason Expired).
/// </summary>
public sealed class CompactedException(long requestedRevision, long compactRevision)
    : Exception($"required revision {requestedRevision} has been compacted (compacted up to {compactRevision})")
{
    public long RequestedRevision { get; } = requestedRevision;

    public long CompactRevision { get; } = compactRevision;
}
