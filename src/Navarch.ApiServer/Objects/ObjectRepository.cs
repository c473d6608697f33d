using System.Globalization;
using k8s;
using k8s.Models;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;
using Navarch.Storage;

namespace Navarch.ApiServer.Objects;

/// <summary>
/// Typed reads and conditional writes of API objects over the key-value store, with kube-apiserver's
/// GuaranteedUpdate loop: read, mutate, compare-and-swap on the mod revision, retry when someone else won.
/// </summary>
public sealed class ObjectRepository(IKeyValueStore store)
{
    private const int MaxAttempts = 16;

    public IKeyValueStore Store => store;

    public async Task<(IKubernetesObject<V1ObjectMeta> Object, KeyValue Kv)?> GetAsync(
        ResourceDefinition definition, string key, CancellationToken cancellationToken)
    {
        var kv = await store.GetAsync(key, 0, cancellationToken).ConfigureAwait(false);
        return kv is null ? null : (ObjectCodec.Decode(definition, kv), kv);
    }

    public async Task<IKubernetesObject<V1ObjectMeta>> GetRequiredAsync(
        ResourceDefinition definition, string key, string name, CancellationToken cancellationToken)
    {
        var found = await GetAsync(definition, key, cancellationToken).ConfigureAwait(false);
        return found?.Object ?? throw ApiException.NotFound(definition.Group, definition.Resource, name);
    }

    /// <summary>Stores a new object; 409 AlreadyExists when the key is taken.</summary>
    public async Task<IKubernetesObject<V1ObjectMeta>> CreateAsync(
        ResourceDefinition definition, string key, IKubernetesObject<V1ObjectMeta> obj, CancellationToken cancellationToken)
    {
        var result = await store.CreateAsync(key, ObjectCodec.EncodeForStorage(obj), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw ApiException.AlreadyExists(definition.Group, definition.Resource, obj.Metadata.Name);
        }

        obj.Metadata.ResourceVersion = result.Revision.ToString(CultureInfo.InvariantCulture);
        return obj;
    }

    /// <summary>
    /// Applies <paramref name="mutate"/> to the latest stored object until the compare-and-swap succeeds.
    /// The mutation throws <see cref="ApiException"/> for preconditions (a stale resourceVersion is a Conflict).
    /// An object left with a deletionTimestamp, no finalizers and no grace period is removed, as kube-apiserver does.
    /// </summary>
    public async Task<UpdateOutcome> GuaranteedUpdateAsync(
        ResourceDefinition definition,
        string key,
        string name,
        Func<IKubernetesObject<V1ObjectMeta>, CancellationToken, ValueTask<IKubernetesObject<V1ObjectMeta>>> mutate,
        bool dryRun,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var kv = await store.GetAsync(key, 0, cancellationToken).ConfigureAwait(false)
                ?? throw ApiException.NotFound(definition.Group, definition.Resource, name);
            var current = ObjectCodec.Decode(definition, kv);
            var updated = await mutate(current, cancellationToken).ConfigureAwait(false);
            if (ReadyForRemoval(updated))
            {
                if (dryRun)
                {
                    return new UpdateOutcome(updated, Deleted: true, Changed: true);
                }

                var deleted = await store.DeleteAsync(key, kv.ModRevision, cancellationToken).ConfigureAwait(false);
                if (deleted.Succeeded)
                {
                    updated.Metadata.ResourceVersion = deleted.Revision.ToString(CultureInfo.InvariantCulture);
                    definition.Strategy.OnDeleted(updated);
                    return new UpdateOutcome(updated, Deleted: true, Changed: true);
                }

                continue;
            }

            var bytes = ObjectCodec.EncodeForStorage(updated);
            if (bytes.AsSpan().SequenceEqual(kv.Value.Span))
            {
                // Nothing changed: as kube-apiserver, skip the write and keep the resourceVersion.
                return new UpdateOutcome(current, Deleted: false, Changed: false);
            }

            if (dryRun)
            {
                return new UpdateOutcome(updated, Deleted: false, Changed: true);
            }

            var result = await store.UpdateAsync(key, bytes, kv.ModRevision, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                updated.Metadata.ResourceVersion = result.Revision.ToString(CultureInfo.InvariantCulture);
                return new UpdateOutcome(updated, Deleted: false, Changed: true);
            }

            if (result.Current is null)
            {
                throw ApiException.NotFound(definition.Group, definition.Resource, name);
            }
        }

        throw ApiException.Conflict(definition.Group, definition.Resource, name, "too many concurrent updates; try again");
    }

    /// <summary>
    /// A deleted object goes once nothing holds it: no finalizers and no grace period left. Namespaces are also
    /// held by spec.finalizers until the namespace controller has emptied them, as kube-apiserver's namespace storage does.
    /// </summary>
    public static bool ReadyForRemoval(IKubernetesObject<V1ObjectMeta> obj) =>
        obj.Metadata.DeletionTimestamp is not null
        && (obj.Metadata.Finalizers is null || obj.Metadata.Finalizers.Count == 0)
        && (obj.Metadata.DeletionGracePeriodSeconds ?? 0) == 0
        && !(obj is V1Namespace { Spec.Finalizers.Count: > 0 });

    /// <summary>Removes an object if it is still at <paramref name="modRevision"/>; false when it changed meanwhile.</summary>
    public async Task<(bool Succeeded, long Revision)> DeleteAsync(string key, long modRevision, CancellationToken cancellationToken)
    {
        var result = await store.DeleteAsync(key, modRevision, cancellationToken).ConfigureAwait(false);
        return (result.Succeeded, result.Revision);
    }
}
