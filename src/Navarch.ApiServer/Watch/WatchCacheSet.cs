using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Registry;
using Navarch.Storage;

namespace Navarch.ApiServer.Watch;

/// <summary>One watch cache per served resource, started together at start-up.</summary>
public sealed class WatchCacheSet : IAsyncDisposable
{
    private readonly Dictionary<ResourceDefinition, WatchCache> _caches;

    public WatchCacheSet(ResourceRegistry registry, IKeyValueStore store, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<WatchCache>();
        _caches = registry.Resources.ToDictionary(r => r, r => new WatchCache(r, store, logger));
    }

    public WatchCache this[ResourceDefinition definition] => _caches[definition];

    public IEnumerable<WatchCache> All => _caches.Values;

    public Task StartAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_caches.Values.Select(c => c.StartAsync(cancellationToken)));

    public async ValueTask DisposeAsync()
    {
        foreach (var cache in _caches.Values)
        {
            await cache.DisposeAsync().ConfigureAwait(false);
        }
    }
}
