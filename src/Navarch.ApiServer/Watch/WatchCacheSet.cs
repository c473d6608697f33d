using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Registry;
using Navarch.Storage;

namespace Navarch.ApiServer.Watch;

/// <summary>
/// One watch cache per served resource, all fed by a single store watch over <c>/registry/</c>. Every change moves
/// every cache's revision forward, so a cache knows it is current up to the store's revision even when its own
/// resource did not change — what lets lists be served from memory as consistent reads (the role etcd's progress
/// notifications play for kube-apiserver).
/// </summary>
public sealed partial class WatchCacheSet : IAsyncDisposable
{
    private const string RegistryPrefix = "/registry/";

    private readonly Dictionary<ResourceDefinition, WatchCache> _caches;
    private readonly (string Prefix, WatchCache Cache)[] _byPrefix;
    private readonly IKeyValueStore _store;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    public WatchCacheSet(ResourceRegistry registry, IKeyValueStore store, ILoggerFactory loggers)
    {
        _store = store;
        _logger = loggers.CreateLogger<WatchCacheSet>();
        var logger = loggers.CreateLogger<WatchCache>();
        _caches = registry.Resources.ToDictionary(r => r, r => new WatchCache(r, store, logger));
        // Longest prefix first, so that a key finds the most specific resource.
        _byPrefix = [.. _caches.Values.Select(c => (c.Definition.KeyPrefix, c)).OrderByDescending(p => p.KeyPrefix.Length)];
    }

    public WatchCache this[ResourceDefinition definition] => _caches[definition];

    public IEnumerable<WatchCache> All => _caches.Values;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var revision = await LoadAllAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => FollowAsync(revision, _stop.Token), CancellationToken.None);
    }

    private async Task<long> LoadAllAsync(CancellationToken cancellationToken)
    {
        var revision = await _store.GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(_caches.Values.Select(c => c.LoadAsync(revision, cancellationToken))).ConfigureAwait(false);
        return revision;
    }

    private async Task FollowAsync(long fromRevision, CancellationToken cancellationToken)
    {
        var after = fromRevision;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in _store.WatchAsync(RegistryPrefix, after, cancellationToken).ConfigureAwait(false))
                {
                    Route(e);
                    after = e.Revision;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (CompactedException)
            {
                Log.Relisting(_logger);
                foreach (var cache in _caches.Values)
                {
                    cache.CloseAllWatchers();
                }

                after = await LoadAllAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.WatchFailed(_logger, e);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Route(WatchEvent e)
    {
        WatchCache? owner = null;
        foreach (var (prefix, cache) in _byPrefix)
        {
            if (e.Kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                owner = cache;
                break;
            }
        }

        owner?.Apply(e);
        foreach (var cache in _caches.Values)
        {
            if (cache != owner)
            {
                cache.Advance(e.Revision);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        foreach (var cache in _caches.Values)
        {
            cache.Dispose();
        }

        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Watch caches fell behind a compaction; loading them again")]
        public static partial void Relisting(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Watch caches lost the store watch; resuming")]
        public static partial void WatchFailed(ILogger logger, Exception exception);
    }
}
