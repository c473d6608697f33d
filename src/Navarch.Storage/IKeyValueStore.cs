namespace Navarch.Storage;

/// <summary>
/// A key-value store with the semantics of etcd v3: every write bumps one global revision; each key
/// records its create revision, mod revision and version; reads can be served at an older revision
/// until it is compacted; writes are conditional on the key's mod revision; watches deliver every
/// change under a prefix in revision order, with the previous value.
/// </summary>
/// <remarks>
/// A successful write is durable when its task completes. All methods are safe to call concurrently.
/// Revisions start at 1 for the first write; an empty store reports revision 0 or 1 (etcd reports 1).
/// </remarks>
public interface IKeyValueStore : IAsyncDisposable
{
    /// <summary>The revision of the latest write.</summary>
    Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>The key as of <paramref name="revision"/> (0 = now), or null when it does not exist then.</summary>
    /// <exception cref="CompactedException">The revision is older than the last compaction.</exception>
    /// <exception cref="FutureRevisionException">The revision is newer than the current revision.</exception>
    Task<KeyValue?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default);

    /// <summary>Keys under a prefix in ascending order, paged by limit and start key, at a revision.</summary>
    /// <exception cref="CompactedException">The revision is older than the last compaction.</exception>
    /// <exception cref="FutureRevisionException">The revision is newer than the current revision.</exception>
    Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default);

    /// <summary>How many keys are under the prefix now.</summary>
    Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Writes the key only if it does not exist (etcd: compare create_revision = 0).</summary>
    Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Overwrites the key only if its mod revision is still <paramref name="expectedModRevision"/>
    /// (etcd: compare mod_revision). Fails when the key is absent.
    /// </summary>
    Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedModRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the key only if its mod revision is still <paramref name="expectedModRevision"/>;
    /// 0 deletes whatever is there. Fails when the key is absent.
    /// </summary>
    Task<WriteResult> DeleteAsync(string key, long expectedModRevision = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every change to keys under <paramref name="prefix"/> with a revision greater than
    /// <paramref name="afterRevision"/>, in revision order, with previous values, until cancelled.
    /// Changes already in history are replayed first, then live ones follow with no gap and no repeat.
    /// </summary>
    /// <exception cref="CompactedException">
    /// Thrown on enumeration when <paramref name="afterRevision"/> + 1 is older than the last compaction.
    /// </exception>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken = default);

    /// <summary>Discards history older than <paramref name="revision"/>; the latest version of every live key is kept.</summary>
    Task CompactAsync(long revision, CancellationToken cancellationToken = default);

    /// <summary>The revision of the last compaction (0 when never compacted).</summary>
    Task<long> GetCompactRevisionAsync(CancellationToken cancellationToken = default);
}
