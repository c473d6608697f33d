using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;
using Navarch.Storage;

namespace Navarch.ApiServer.Watch;

/// <summary>
/// The in-memory copy of one resource that serves lists and watches, as kube-apiserver's cacher does: it is
/// loaded from the store once, then fed every change by <see cref="WatchCacheSet"/>, keeping every object and a
/// ring of recent events so that watches can resume from a recent resourceVersion.
/// </summary>
public sealed partial class WatchCache : IDisposable
{
    private readonly ResourceDefinition _definition;
    private readonly IKeyValueStore _store;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CachedObject> _objects = new(StringComparer.Ordinal);
    private readonly CacheEvent?[] _ring;
    private readonly HashSet<CacheWatcher> _watchers = [];
    private readonly int _watcherCapacity;
    private TaskCompletionSource? _progress;
    private int _ringStart;
    private int _ringCount;
    private long _revision;
    private long _oldestRevision;

    public WatchCache(ResourceDefinition definition, IKeyValueStore store, ILogger logger, int historySize = 10_000, int watcherCapacity = 10_000)
    {
        _definition = definition;
        _store = store;
        _logger = logger;
        _ring = new CacheEvent?[historySize];
        _watcherCapacity = watcherCapacity;
    }

    public ResourceDefinition Definition => _definition;

    /// <summary>The revision up to which the cache has applied the store's changes.</summary>
    public long Revision
    {
        get
        {
            lock (_lock)
            {
                return _revision;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Fills the cache with the store's content at <paramref name="revision"/>, replacing what it held.</summary>
    internal async Task LoadAsync(long revision, CancellationToken cancellationToken)
    {
        var first = await _store.RangeAsync(new RangeRequest(_definition.KeyPrefix, Limit: 1000, Revision: revision), cancellationToken)
            .ConfigureAwait(false);
        var loaded = new Dictionary<string, CachedObject>(StringComparer.Ordinal);
        var page = first;
        while (true)
        {
            foreach (var kv in page.Items)
            {
                var cached = TryDecode(kv.Key, kv.Value.Span, kv.ModRevision);
                if (cached is not null)
                {
                    loaded[kv.Key] = cached;
                }
            }

            if (!page.More || page.Items.Count == 0)
            {
                break;
            }

            page = await _store.RangeAsync(
                new RangeRequest(_definition.KeyPrefix, Limit: 1000, StartAfter: page.Items[^1].Key, Revision: revision),
                cancellationToken).ConfigureAwait(false);
        }

        lock (_lock)
        {
            _objects.Clear();
            foreach (var (key, value) in loaded)
            {
                _objects[key] = value;
            }

            _revision = revision;
            _oldestRevision = revision;
            _ringCount = 0;
            _ringStart = 0;
            SignalProgress();
        }
    }

    /// <summary>Applies one change under this resource's prefix.</summary>
    internal void Apply(WatchEvent e)
    {
        var key = e.Kv.Key;
        CacheEvent? cacheEvent = null;
        if (e.Type == Storage.WatchEventType.Put)
        {
            var cached = TryDecode(key, e.Kv.Value.Span, e.Kv.ModRevision);
            lock (_lock)
            {
                _objects.TryGetValue(key, out var previous);
                if (cached is not null)
                {
                    _objects[key] = cached;
                    cacheEvent = new CacheEvent(previous is null ? CacheEventType.Added : CacheEventType.Modified, cached, previous, e.Revision);
                }

                Publish(cacheEvent, e.Revision);
            }
        }
        else
        {
            lock (_lock)
            {
                if (_objects.Remove(key, out var previous))
                {
                    // As kube-apiserver does, a deleted object is reported with the delete's revision.
                    var last = e.PrevKv is { } prev ? TryDecode(key, prev.Value.Span, e.Revision) : null;
                    last ??= previous with { Revision = e.Revision };
                    cacheEvent = new CacheEvent(CacheEventType.Deleted, last, previous, e.Revision);
                }

                Publish(cacheEvent, e.Revision);
            }
        }
    }

    /// <summary>Records the event in history, hands it to every watcher and wakes list requests waiting for a revision.</summary>
    private void Publish(CacheEvent? cacheEvent, long revision)
    {
        if (cacheEvent is not null)
        {
            var index = (_ringStart + _ringCount) % _ring.Length;
            if (_ringCount == _ring.Length)
            {
                _oldestRevision = _ring[_ringStart]!.Revision;
                _ringStart = (_ringStart + 1) % _ring.Length;
                index = (_ringStart + _ringCount - 1) % _ring.Length;
            }
            else
            {
                _ringCount++;
            }

            _ring[index] = cacheEvent;
            foreach (var watcher in _watchers)
            {
                watcher.Offer(cacheEvent);
            }
        }

        _revision = Math.Max(_revision, revision);
        SignalProgress();
    }

    /// <summary>Records that the store has moved to <paramref name="revision"/> with no change to this resource.</summary>
    internal void Advance(long revision)
    {
        lock (_lock)
        {
            if (revision > _revision)
            {
                _revision = revision;
                SignalProgress();
            }
        }
    }

    /// <summary>
    /// Wakes whoever waits for a revision. The signal is made only when someone asked for it, because every store
    /// change advances every cache and this runs on that path.
    /// </summary>
    private void SignalProgress()
    {
        var waiting = _progress;
        _progress = null;
        waiting?.TrySetResult();
    }

    private CachedObject? TryDecode(string key, ReadOnlySpan<byte> json, long revision)
    {
        try
        {
            IKubernetesObject<V1ObjectMeta> obj = ObjectCodec.Decode(_definition, json, revision);
            return ObjectCodec.ToCached(_definition, key, obj, revision);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or NotSupportedException)
        {
            Log.UndecodableObject(_logger, key, e);
            return null;
        }
    }

    /// <summary>Waits until the cache has applied every change up to <paramref name="revision"/>.</summary>
    /// <exception cref="ApiException">504 Timeout when the cache does not get there within the wait.</exception>
    public async Task WaitForRevisionAsync(long revision, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait);
        while (true)
        {
            Task next;
            lock (_lock)
            {
                if (_revision >= revision)
                {
                    return;
                }

                _progress ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                next = _progress.Task;
            }

            try
            {
                await next.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw ApiException.Timeout($"Too large resource version: {revision}, current: {Revision}", 1);
            }
        }
    }

    /// <summary>A snapshot of the objects (of one namespace when given), in key order, with the revision it reflects.</summary>
    public (List<CachedObject> Items, long Revision) Snapshot(string? prefix)
    {
        List<CachedObject> items;
        long revision;
        lock (_lock)
        {
            items = new List<CachedObject>(_objects.Count);
            foreach (var (key, value) in _objects)
            {
                if (prefix is null || key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    items.Add(value);
                }
            }

            revision = _revision;
        }

        items.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return (items, revision);
    }

    public CachedObject? Get(string key)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(key);
        }
    }

    /// <summary>
    /// Starts a watch after <paramref name="afterRevision"/>. Zero means "any": the current objects are sent as
    /// ADDED first. A revision older than the cache's history fails with 410 Expired, as kube-apiserver's does.
    /// </summary>
    public CacheWatcher Watch(long afterRevision)
    {
        lock (_lock)
        {
            List<CacheEvent> initial;
            if (afterRevision == 0)
            {
                initial = new List<CacheEvent>(_objects.Count);
                foreach (var value in _objects.Values)
                {
                    initial.Add(new CacheEvent(CacheEventType.Added, value, null, value.Revision));
                }

                initial.Sort(static (a, b) => string.CompareOrdinal(a.Object.Key, b.Object.Key));
            }
            else
            {
                if (afterRevision < _oldestRevision)
                {
                    throw ApiException.Expired($"too old resource version: {afterRevision} ({_oldestRevision})");
                }

                initial = [];
                for (var i = 0; i < _ringCount; i++)
                {
                    var e = _ring[(_ringStart + i) % _ring.Length]!;
                    if (e.Revision > afterRevision)
                    {
                        initial.Add(e);
                    }
                }
            }

            var watcher = new CacheWatcher(initial, _watcherCapacity, Unregister);
            _watchers.Add(watcher);
            return watcher;
        }
    }

    private void Unregister(CacheWatcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }

    internal void CloseAllWatchers()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Live.Writer.TryComplete(ApiException.Expired("the watch cache was re-listed; watch again"));
            }

            _watchers.Clear();
        }
    }

    public void Dispose() => CloseAllWatchers();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Stored object {Key} could not be decoded; leaving it out of the cache")]
        public static partial void UndecodableObject(ILogger logger, string key, Exception exception);
    }
}
