using k8s.Models;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watch;

namespace Navarch.ApiServer.Admission.Priority;

/// <summary>
/// PriorityClasses from the API server's own watch cache (no request back to itself). A name the cache does not know
/// yet is looked up in the store, so a pod created right after its class still finds it.
/// </summary>
internal sealed class PriorityClassLister : IPriorityClassLister
{
    private static readonly TimeSpan CacheWait = TimeSpan.FromSeconds(3);

    private readonly ResourceDefinition _definition;
    private readonly WatchCache _cache;
    private readonly ObjectRepository _repository;

    public PriorityClassLister(ResourceRegistry registry, WatchCacheSet caches, ObjectRepository repository)
    {
        _definition = registry.Find(PriorityAdmission.SchedulingGroup, "v1", PriorityAdmission.PriorityClassesResource)
            ?? throw new InvalidOperationException("the registry serves no scheduling.k8s.io/v1 priorityclasses");
        _cache = caches[_definition];
        _repository = repository;
    }

    public async ValueTask<V1PriorityClass?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var key = _definition.Key(null, name);
        if (_cache.Get(key) is { } cached)
        {
            return (V1PriorityClass)ObjectCodec.Decode(_definition, cached.Json, cached.Revision);
        }

        var stored = await _repository.GetAsync(_definition, key, cancellationToken).ConfigureAwait(false);
        return stored?.Object as V1PriorityClass;
    }

    public async ValueTask<IReadOnlyList<V1PriorityClass>> ListAsync(bool consistent, CancellationToken cancellationToken)
    {
        if (consistent)
        {
            var revision = await _repository.Store.GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
            await _cache.WaitForRevisionAsync(revision, CacheWait, cancellationToken).ConfigureAwait(false);
        }

        var (items, _) = _cache.Snapshot(null);
        var classes = new List<V1PriorityClass>(items.Count);
        foreach (var item in items)
        {
            classes.Add((V1PriorityClass)ObjectCodec.Decode(_definition, item.Json, item.Revision));
        }

        return classes;
    }
}
