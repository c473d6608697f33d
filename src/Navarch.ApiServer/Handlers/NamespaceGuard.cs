using System.Text.Json;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watch;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// The NamespaceLifecycle admission rule: no new objects in a namespace that does not exist or is terminating.
/// Reads the namespace from the watch cache, which is where kube-apiserver's admission plugin reads it too.
/// </summary>
public sealed class NamespaceGuard(ResourceRegistry registry, WatchCacheSet caches, Navarch.Storage.IKeyValueStore store)
{
    private readonly ResourceDefinition _namespaces = registry.Find("", "v1", "namespaces")
        ?? throw new InvalidOperationException("namespaces are not registered");

    public async Task CheckCreateAsync(RequestInfo info, string name, CancellationToken cancellationToken)
    {
        if (!info.Definition.Namespaced || info.Namespace is null)
        {
            return;
        }

        var cache = caches[_namespaces];
        var key = _namespaces.Key(null, info.Namespace);
        var ns = cache.Get(key);
        if (ns is null)
        {
            // A namespace created a moment ago may not have reached the cache yet: wait for the store's revision.
            var revision = await store.GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
            await cache.WaitForRevisionAsync(revision, TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            ns = cache.Get(key);
        }

        if (ns is null)
        {
            throw ApiException.NotFound("", "namespaces", info.Namespace);
        }

        if (IsTerminating(ns))
        {
            throw ApiException.NamespaceTerminating(info.Definition.Group, info.Definition.Resource, name, info.Namespace);
        }
    }

    private static bool IsTerminating(CachedObject ns)
    {
        using var doc = JsonDocument.Parse(ns.Json);
        var root = doc.RootElement;
        if (root.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("deletionTimestamp", out var ts)
            && ts.ValueKind == JsonValueKind.String)
        {
            return true;
        }

        return root.TryGetProperty("status", out var status) && status.TryGetProperty("phase", out var phase)
            && phase.ValueKind == JsonValueKind.String && phase.GetString() == "Terminating";
    }
}
