namespace Navarch.Storage;

/// <summary>A read asked for a revision the store has not reached yet, as etcd's ErrFutureRev.</summary>
public sealed class FutureRevisionException(long requestedRevision, long currentRevision)
    : Exception($"required revision {requestedRevision} is a future revision (current {currentRevision})")
{
    public long RequestedRevision { get; } = requestedRevision;

    public long CurrentRevision { get; } = currentRevision;
}
