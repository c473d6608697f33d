using System.Runtime.CompilerServices;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watch;
using Navarch.Storage;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// Service accounts, pods, secrets and nodes read from the API server's own watch caches, as kube-apiserver's token
/// authenticator reads them from informers. A name the cache lacks is looked for again once the cache has caught up
/// with the store, so an object created a moment ago is found (kube-apiserver falls back to a live read the same way).
/// </summary>
internal sealed class ClusterObjectLookup
{
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(3);

    private readonly WatchCacheSet _caches;
    private readonly IKeyValueStore _store;

    // Parsed identities per cached object instance: a cache entry is replaced (never changed) on every write, so the
    // instance is the version, and unchanged objects are parsed once however many requests check them.
    private readonly ConditionalWeakTable<CachedObject, ObjectIdentity> _identities = new();

    public ClusterObjectLookup(ResourceRegistry registry, WatchCacheSet caches, IKeyValueStore store)
    {
        _caches = caches;
        _store = store;
        ServiceAccounts = Find(registry, "serviceaccounts");
        Pods = Find(registry, "pods");
        Secrets = Find(registry, "secrets");
        Nodes = Find(registry, "nodes");
    }

    public ResourceDefinition ServiceAccounts { get; }

    public ResourceDefinition Pods { get; }

    public ResourceDefinition Secrets { get; }

    public ResourceDefinition Nodes { get; }

    /// <summary>The identity of <paramref name="name"/>, or null when it does not exist.</summary>
    public async ValueTask<ObjectIdentity?> GetAsync(ResourceDefinition definition, string? @namespace, string name, CancellationToken cancellationToken)
    {
        var cache = _caches[definition];
        var key = definition.Key(@namespace, name);
        var obj = cache.Get(key);
        if (obj is null)
        {
            var revision = await _store.GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await cache.WaitForRevisionAsync(revision, CatchUpWait, cancellationToken).ConfigureAwait(false);
            }
            catch (Errors.ApiException)
            {
                // The cache is far behind; answer from what it holds, which for a token means "not valid now".
            }

            obj = cache.Get(key);
        }

        return obj is null ? null : _identities.GetValue(obj, ObjectIdentity.Read);
    }

    private static ResourceDefinition Find(ResourceRegistry registry, string resource) =>
        registry.Find("", "v1", resource) ?? throw new InvalidOperationException($"the registry serves no v1 {resource}");
}
