using k8s.Models;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watch;

namespace Navarch.ApiServer.Admission.ServiceAccount;

/// <summary>
/// ServiceAccounts from the API server's own watch cache. A name the cache does not know yet is looked up in the
/// store, as kube-apiserver's plugin falls back to a live read, so a pod created right after its account finds it.
/// </summary>
internal sealed class ServiceAccountLister : IServiceAccountLister
{
    private readonly ResourceDefinition _definition;
    private readonly WatchCache _cache;
    private readonly ObjectRepository _repository;

    public ServiceAccountLister(ResourceRegistry registry, WatchCacheSet caches, ObjectRepository repository)
    {
        _definition = registry.Find("", "v1", "serviceaccounts")
            ?? throw new InvalidOperationException("the registry serves no v1 serviceaccounts");
        _cache = caches[_definition];
        _repository = repository;
    }

    public async ValueTask<V1ServiceAccount?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var key = _definition.Key(@namespace, name);
        if (_cache.Get(key) is { } cached)
        {
            return (V1ServiceAccount)ObjectCodec.Decode(_definition, cached.Json, cached.Revision);
        }

        var stored = await _repository.GetAsync(_definition, key, cancellationToken).ConfigureAwait(false);
        return stored?.Object as V1ServiceAccount;
    }
}
