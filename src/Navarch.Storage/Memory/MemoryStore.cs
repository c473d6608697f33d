using Navarch.Storage.Internal;

namespace Navarch.Storage.Memory;

/// <summary>
/// An in-memory store with the full semantics of <see cref="IKeyValueStore"/>: history per key, reads at old
/// revisions, watches and compaction. Nothing survives disposal; meant for unit tests.
/// </summary>
public sealed class MemoryStore : IKeyValueStore
{
    private readonly Lock _gate = new();

    // Each key's versions in revision order; a null value marks a delete.
    private readonly SortedList<string, List<Version>> _keys = new(StringComparer.Ordinal);

    // Every change with a revision >= the compact revision, in revision order.
    private readonly List<WatchEvent> _events = [];
    private readonly WatchHub _hub = new(0);
    private readonly HistoryReader _history;
    private long _revision;
    private long _compactRevision;
    private bool _disposed;

    public MemoryStore()
    {
        _history = ReadHistory;
    }

    public Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_revision);
        }
    }

    public Task<long> GetCompactRevisionAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_compactRevision);
        }
    }

    public Task<KeyValue?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            ThrowIfDisposed();
            var at = Revisions.ResolveRead(revision, _revision, _compactRevision);
            return Task.FromResult(_keys.TryGetValue(key, out var versions) ? ValueAt(versions, at) : null);
        }
    }

    public Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            ThrowIfDisposed();
            var at = Revisions.ResolveRead(request.Revision, _revision, _compactRevision);
            var items = new List<KeyValue>();
            var more = false;
            long remaining = 0;
            var names = _keys.Keys;
            var start = request.StartAfter is not null && string.CompareOrdinal(request.StartAfter, request.Prefix) >= 0
                ? UpperBound(request.StartAfter)
                : LowerBound(request.Prefix);
            for (var i = start; i < names.Count && names[i].StartsWith(request.Prefix, StringComparison.Ordinal); i++)
            {
                var kv = ValueAt(_keys.Values[i], at);
                if (kv is null)
                {
                    continue;
                }

                if (request.Limit > 0 && items.Count == request.Limit)
                {
                    more = true;
                    remaining++;
                }
                else
                {
                    items.Add(kv);
                }
            }

            return Task.FromResult(new RangeResult(items, at, more, remaining));
        }
    }

    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        lock (_gate)
        {
            ThrowIfDisposed();
            long count = 0;
            var names = _keys.Keys;
            for (var i = LowerBound(prefix); i < names.Count && names[i].StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                if (_keys.Values[i][^1].Value is not null)
                {
                    count++;
                }
            }

            return Task.FromResult(count);
        }
    }

    public Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            var current = Current(key);
            if (current is not null)
            {
                return Task.FromResult(new WriteResult(false, current, _revision));
            }

            var revision = ++_revision;
            var kv = new KeyValue(key, value.ToArray(), revision, revision, 1);
            Record(key, new Version(revision, kv), new WatchEvent(WatchEventType.Put, kv, null));
            return Task.FromResult(new WriteResult(true, kv, revision));
        }
    }

    public Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedModRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            var current = Current(key);
            if (current is null || current.ModRevision != expectedModRevision)
            {
                return Task.FromResult(new WriteResult(false, current, _revision));
            }

            var revision = ++_revision;
            var kv = new KeyValue(key, value.ToArray(), current.CreateRevision, revision, current.Version + 1);
            Record(key, new Version(revision, kv), new WatchEvent(WatchEventType.Put, kv, current));
            return Task.FromResult(new WriteResult(true, kv, revision));
        }
    }

    public Task<WriteResult> DeleteAsync(string key, long expectedModRevision = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            var current = Current(key);
            if (current is null || (expectedModRevision != 0 && current.ModRevision != expectedModRevision))
            {
                return Task.FromResult(new WriteResult(false, current, _revision));
            }

            var revision = ++_revision;
            var tombstone = new KeyValue(key, ReadOnlyMemory<byte>.Empty, 0, revision, 0);
            Record(key, new Version(revision, null), new WatchEvent(WatchEventType.Delete, tombstone, current));
            return Task.FromResult(new WriteResult(true, null, revision));
        }
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return _hub.WatchAsync(prefix, afterRevision, _history, cancellationToken);
    }

    public Task CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            Revisions.CheckCompact(revision, _revision, _compactRevision);
            List<string>? emptied = null;
            foreach (var (key, versions) in _keys)
            {
                // Keep the newest version at or before the revision (so reads there still work) and all after it.
                var newest = LastAtOrBefore(versions, revision);
                var drop = newest >= 0 && versions[newest].Value is null ? newest + 1 : newest;
                if (drop > 0)
                {
                    versions.RemoveRange(0, drop);
                }

                if (versions.Count == 0)
                {
                    (emptied ??= []).Add(key);
                }
            }

            if (emptied is not null)
            {
                foreach (var key in emptied)
                {
                    _keys.Remove(key);
                }
            }

            // A watch may start at the compact revision itself, so its event stays.
            _events.RemoveRange(0, FirstEventAfter(revision - 1));
            _compactRevision = revision;
            return Task.CompletedTask;
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _hub.Close();
        return ValueTask.CompletedTask;
    }

    private ValueTask<IReadOnlyList<WatchEvent>> ReadHistory(string prefix, long afterRevision, long upToRevision, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            Revisions.CheckHistory(afterRevision, _compactRevision);
            var page = new List<WatchEvent>();
            for (var i = FirstEventAfter(afterRevision); i < _events.Count && page.Count < limit; i++)
            {
                var watchEvent = _events[i];
                if (watchEvent.Revision > upToRevision)
                {
                    break;
                }

                if (watchEvent.Kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    page.Add(watchEvent);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<WatchEvent>>(page);
        }
    }

    // Called under the lock, so events are appended and published in revision order.
    private void Record(string key, Version version, WatchEvent watchEvent)
    {
        if (!_keys.TryGetValue(key, out var versions))
        {
            versions = [];
            _keys.Add(key, versions);
        }

        versions.Add(version);
        _events.Add(watchEvent);
        _hub.Publish(watchEvent);
    }

    private KeyValue? Current(string key) => _keys.TryGetValue(key, out var versions) ? versions[^1].Value : null;

    private static KeyValue? ValueAt(List<Version> versions, long revision)
    {
        var index = LastAtOrBefore(versions, revision);
        return index < 0 ? null : versions[index].Value;
    }

    private static int LastAtOrBefore(List<Version> versions, long revision)
    {
        int lo = 0, hi = versions.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (versions[mid].Revision <= revision)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    private int FirstEventAfter(long revision)
    {
        int lo = 0, hi = _events.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_events[mid].Revision <= revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // Index of the first key >= name.
    private int LowerBound(string name) => Bound(name, inclusive: true);

    // Index of the first key > name.
    private int UpperBound(string name) => Bound(name, inclusive: false);

    private int Bound(string name, bool inclusive)
    {
        var names = _keys.Keys;
        int lo = 0, hi = names.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var cmp = string.CompareOrdinal(names[mid], name);
            if (cmp < 0 || (cmp == 0 && !inclusive))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private readonly record struct Version(long Revision, KeyValue? Value);
}
