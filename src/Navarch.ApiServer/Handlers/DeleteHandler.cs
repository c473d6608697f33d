using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// Delete with kube-apiserver's semantics: preconditions, graceful deletion (deletionTimestamp and
/// deletionGracePeriodSeconds), finalizers that hold the object until they are removed, and the
/// orphan / foreground finalizers that the garbage collector acts on.
/// </summary>
public sealed class DeleteHandler(ObjectRepository repository, ObjectPreparer preparer, ResponseWriter responses)
{
    private const string OrphanFinalizer = "orphan";
    private const string ForegroundFinalizer = "foregroundDeletion";
    private const string NamespaceFinalizer = "kubernetes";

    public async Task DeleteAsync(RequestContext request)
    {
        var options = await DeleteOptionsReader.ReadAsync(request.Http.Request, request.Cancellation).ConfigureAwait(false);
        var info = request.Info;
        var result = await DeleteOneAsync(info.Definition, info.Definition.Key(info.Namespace, info.Name!), info.Name!, options,
            request.DryRun || options.DryRun is { Count: > 0 }, request.Cancellation).ConfigureAwait(false);
        await responses.WriteObjectAsync(request.Http, StatusCodes.Status200OK, info.Definition, result).ConfigureAwait(false);
    }

    public async Task<IKubernetesObject<V1ObjectMeta>> DeleteOneAsync(
        ResourceDefinition definition, string key, string name, V1DeleteOptions options, bool dryRun, CancellationToken cancellationToken)
    {
        var outcome = await repository.GuaranteedUpdateAsync(definition, key, name, (current, _) =>
        {
            CheckPreconditions(definition, name, options.Preconditions, current);
            return ValueTask.FromResult(MarkDeleted(definition, current, options));
        }, dryRun, cancellationToken).ConfigureAwait(false);
        return outcome.Object;
    }

    /// <summary>Sets what a delete sets; an object with nothing left to wait for comes back ready to be removed.</summary>
    private IKubernetesObject<V1ObjectMeta> MarkDeleted(ResourceDefinition definition, IKubernetesObject<V1ObjectMeta> obj, V1DeleteOptions options)
    {
        var meta = obj.Metadata;
        var finalizers = meta.Finalizers is null ? new List<string>() : [.. meta.Finalizers];
        var policy = options.PropagationPolicy ?? (options.OrphanDependents == true ? "Orphan" : null);
        if (meta.DeletionTimestamp is null)
        {
            if (policy == "Orphan" && !finalizers.Contains(OrphanFinalizer))
            {
                finalizers.Add(OrphanFinalizer);
            }
            else if (policy == "Foreground" && !finalizers.Contains(ForegroundFinalizer))
            {
                finalizers.Add(ForegroundFinalizer);
            }
        }

        meta.Finalizers = finalizers.Count > 0 ? finalizers : null;

        // Namespaces wait for the namespace controller, which empties spec.finalizers once the content is gone.
        if (obj is V1Namespace ns && ns.Spec?.Finalizers is { Count: > 0 } nsFinalizers && nsFinalizers.Contains(NamespaceFinalizer))
        {
            meta.DeletionTimestamp ??= preparer.Now();
            meta.DeletionGracePeriodSeconds ??= 0;
            ns.Status ??= new V1NamespaceStatus();
            ns.Status.Phase = "Terminating";
            return obj;
        }

        var grace = definition.Strategy.GracefulDeletionPeriod(obj, options.GracePeriodSeconds);
        if (meta.DeletionTimestamp is not null)
        {
            // Already being deleted: only a shorter grace period changes anything.
            if (grace is null || grace < (meta.DeletionGracePeriodSeconds ?? 0))
            {
                var remaining = grace ?? 0;
                meta.DeletionGracePeriodSeconds = remaining;
                meta.DeletionTimestamp = preparer.Now().AddSeconds(remaining);
            }

            return obj;
        }

        meta.DeletionGracePeriodSeconds = grace ?? 0;
        meta.DeletionTimestamp = preparer.Now().AddSeconds(grace ?? 0);
        return obj;
    }

    private static void CheckPreconditions(ResourceDefinition definition, string name, V1Preconditions? preconditions, IKubernetesObject<V1ObjectMeta> current)
    {
        if (preconditions is null)
        {
            return;
        }

        if (preconditions.Uid is { Length: > 0 } uid && uid != current.Metadata.Uid)
        {
            throw ApiException.Conflict(definition.Group, definition.Resource, name,
                $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Metadata.Uid}");
        }

        if (preconditions.ResourceVersion is { Length: > 0 } rv && rv != current.Metadata.ResourceVersion)
        {
            throw ApiException.Conflict(definition.Group, definition.Resource, name,
                $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.Metadata.ResourceVersion}");
        }
    }
}
