namespace Navarch.Storage.Internal;

/// <summary>
/// Reads up to <paramref name="limit"/> stored changes under <paramref name="prefix"/> with
/// <paramref name="afterRevision"/> &lt; revision &lt;= <paramref name="upToRevision"/>, in revision order.
/// Throws <see cref="CompactedException"/> when <paramref name="afterRevision"/> + 1 has been compacted.
/// </summary>
internal delegate ValueTask<IReadOnlyList<WatchEvent>> HistoryReader(
    string prefix, long afterRevision, long upToRevision, int limit, CancellationToken cancellationToken);
