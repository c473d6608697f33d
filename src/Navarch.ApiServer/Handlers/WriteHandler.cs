using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Apply;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Serialization;

namespace Navarch.ApiServer.Handlers;

/// <summary>Create, update (PUT) and patch of main resources.</summary>
public sealed class WriteHandler(
    ObjectRepository repository,
    ObjectDecoder decoder,
    ObjectPreparer preparer,
    NamespaceGuard namespaces,
    ResponseWriter responses,
    AdmissionChain admission,
    TimeProvider time)
{
    public async Task CreateAsync(RequestContext request)
    {
        var info = request.Info;
        var definition = info.Definition;
        var (_, node) = await RequestBody.ReadNodeAsync(request.Http.Request, definition.Kind, request.Cancellation).ConfigureAwait(false);
        var obj = decoder.Decode(node, definition, request.FieldValidation, request.Warnings);
        await PrepareAdmittedCreateAsync(request, obj).ConfigureAwait(false);
        ManagedFieldsTracker.RecordUpdate(null, obj, request.FieldManager, definition.GroupVersion, time.GetUtcNow());

        var created = await StoreNewAsync(request, obj).ConfigureAwait(false);
        AddWarnings(request);
        await responses.WriteObjectAsync(request.Http, StatusCodes.Status201Created, definition, created).ConfigureAwait(false);
    }

    private async Task<IKubernetesObject<V1ObjectMeta>> StoreNewAsync(RequestContext request, IKubernetesObject<V1ObjectMeta> obj)
    {
        var definition = request.Info.Definition;
        if (request.DryRun)
        {
            definition.Strategy.OnCreateFailed(obj);
            return obj;
        }

        try
        {
            return await repository.CreateAsync(definition, definition.Key(obj.Metadata.NamespaceProperty, obj.Metadata.Name), obj, request.Cancellation)
                .ConfigureAwait(false);
        }
        catch
        {
            definition.Strategy.OnCreateFailed(obj);
            throw;
        }
    }

    public async Task UpdateAsync(RequestContext request)
    {
        var info = request.Info;
        var definition = info.Definition;
        var (_, node) = await RequestBody.ReadNodeAsync(request.Http.Request, definition.Kind, request.Cancellation).ConfigureAwait(false);
        var obj = decoder.Decode(node, definition, request.FieldValidation, request.Warnings);
        CheckName(info, obj);
        var expected = obj.Metadata.ResourceVersion;

        var outcome = await repository.GuaranteedUpdateAsync(definition, Key(info), info.Name!, async (current, _) =>
        {
            CheckResourceVersion(definition, info.Name!, expected, current);
            var next = decoder.Decode(node, definition, FieldValidation.Ignore, []);
            await PrepareAdmittedUpdateAsync(request, next, current).ConfigureAwait(false);
            ManagedFieldsTracker.RecordUpdate(current, next, request.FieldManager, definition.GroupVersion, time.GetUtcNow());
            return next;
        }, request.DryRun, request.Cancellation).ConfigureAwait(false);

        AddWarnings(request);
        await responses.WriteObjectAsync(request.Http, StatusCodes.Status200OK, definition, outcome.Object).ConfigureAwait(false);
    }

    public async Task PatchAsync(RequestContext request)
    {
        var info = request.Info;
        var definition = info.Definition;
        var mediaType = RequestBody.MediaType(request.Http.Request.ContentType);
        if (mediaType is not ("application/json-patch+json" or "application/merge-patch+json"
            or "application/strategic-merge-patch+json" or "application/apply-patch+yaml" or "application/apply-patch+cbor"))
        {
            throw ApiException.UnsupportedMediaType(mediaType);
        }

        if (mediaType == "application/apply-patch+cbor")
        {
            throw ApiException.UnsupportedMediaType(mediaType);
        }

        var body = await RequestBody.ReadAsync(request.Http.Request, request.Cancellation).ConfigureAwait(false);
        var patch = RequestBody.Parse(body, mediaType, definition.Kind);
        if (mediaType == "application/apply-patch+yaml")
        {
            await ApplyAsync(request, patch).ConfigureAwait(false);
            return;
        }

        var outcome = await repository.GuaranteedUpdateAsync(definition, Key(info), info.Name!, async (current, _) =>
        {
            var currentNode = ApiJson.SerializeToNode(current)!;
            var patched = PatchApplier.Apply(mediaType, currentNode, patch, definition.ModelType);
            var next = DecodePatched(request, patched, definition);
            var expected = next.Metadata.ResourceVersion;
            CheckResourceVersion(definition, info.Name!, expected, current);
            await PrepareAdmittedUpdateAsync(request, next, current).ConfigureAwait(false);
            ManagedFieldsTracker.RecordUpdate(current, next, request.FieldManager, definition.GroupVersion, time.GetUtcNow());
            return next;
        }, request.DryRun, request.Cancellation).ConfigureAwait(false);

        AddWarnings(request);
        await responses.WriteObjectAsync(request.Http, StatusCodes.Status200OK, definition, outcome.Object).ConfigureAwait(false);
    }

    /// <summary>Server-side apply: create the object when absent, else merge with field ownership.</summary>
    private async Task ApplyAsync(RequestContext request, JsonNode patch)
    {
        var info = request.Info;
        var definition = info.Definition;
        if (request.Http.Request.Query["fieldManager"].ToString().Length == 0)
        {
            throw ApiException.BadRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }

        if (patch is not JsonObject applied)
        {
            throw ApiException.BadRequest("apply patch must be an object");
        }

        ObjectDecoder.CheckTypeMeta(applied, definition);
        var force = ListOptions.Flag(request.Http.Request.Query, "force") ?? false;
        var existing = await repository.GetAsync(definition, Key(info), request.Cancellation).ConfigureAwait(false);
        if (existing is null)
        {
            var result = ServerSideApply.Apply(null, applied, request.FieldManager, force, definition.ModelType, time.GetUtcNow());
            var obj = DecodePatched(request, ApplyResultObject(definition, info, result), definition);
            CheckName(info, obj);
            await PrepareAdmittedCreateAsync(request, obj).ConfigureAwait(false);
            var created = await StoreNewAsync(request, obj).ConfigureAwait(false);
            AddWarnings(request);
            await responses.WriteObjectAsync(request.Http, StatusCodes.Status201Created, definition, created).ConfigureAwait(false);
            return;
        }

        var outcome = await repository.GuaranteedUpdateAsync(definition, Key(info), info.Name!, async (current, _) =>
        {
            var live = ApiJson.SerializeToNode(current)!.AsObject();
            var result = ServerSideApply.Apply(live, applied, request.FieldManager, force, definition.ModelType, time.GetUtcNow());
            var next = DecodePatched(request, ApplyResultObject(definition, info, result), definition);
            CheckResourceVersion(definition, info.Name!, applied["metadata"]?["resourceVersion"]?.GetValue<string>(), current);
            await PrepareAdmittedUpdateAsync(request, next, current).ConfigureAwait(false);
            return next;
        }, request.DryRun, request.Cancellation).ConfigureAwait(false);

        AddWarnings(request);
        await responses.WriteObjectAsync(request.Http, StatusCodes.Status200OK, definition, outcome.Object).ConfigureAwait(false);
    }

    /// <summary>
    /// As kube-apiserver orders a create: mutating admission, then the kind's preparation, defaulting and validation
    /// (and the namespace check), then validating admission. A rejection after preparation gives back what the
    /// strategy took for the object (a Service's address), as a refused store write does.
    /// </summary>
    private async Task PrepareAdmittedCreateAsync(RequestContext request, IKubernetesObject<V1ObjectMeta> obj)
    {
        await admission.MutateAsync(AdmissionOf(request, AdmissionOperation.Create, obj, null), request.Cancellation).ConfigureAwait(false);
        preparer.PrepareCreate(request, obj);
        try
        {
            await namespaces.CheckCreateAsync(request.Info, obj.Metadata.Name, request.Cancellation).ConfigureAwait(false);
            await admission.ValidateAsync(AdmissionOf(request, AdmissionOperation.Create, obj, null), request.Cancellation).ConfigureAwait(false);
        }
        catch
        {
            request.Info.Definition.Strategy.OnCreateFailed(obj);
            throw;
        }
    }

    /// <summary>The update counterpart, run on each attempt of the update loop against the object it read.</summary>
    private async Task PrepareAdmittedUpdateAsync(
        RequestContext request, IKubernetesObject<V1ObjectMeta> next, IKubernetesObject<V1ObjectMeta> current)
    {
        await admission.MutateAsync(AdmissionOf(request, AdmissionOperation.Update, next, current), request.Cancellation).ConfigureAwait(false);
        preparer.PrepareUpdate(request, next, current);
        await admission.ValidateAsync(AdmissionOf(request, AdmissionOperation.Update, next, current), request.Cancellation).ConfigureAwait(false);
    }

    private static AdmissionRequest AdmissionOf(
        RequestContext request, AdmissionOperation operation, IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta>? old) =>
        new(operation, request.Info.Definition, null, request.Info.Namespace, obj.Metadata.Name ?? request.Info.Name ?? "", obj, old,
            request.DryRun);

    private static JsonNode ApplyResultObject(ResourceDefinition definition, RequestInfo info, ApplyResult result)
    {
        if (result.Conflicts.Count > 0)
        {
            throw ApiException.ApplyConflict(definition.Group, definition.Resource, info.Name ?? "", result.ConflictMessage);
        }

        return result.Object!;
    }

    private IKubernetesObject<V1ObjectMeta> DecodePatched(RequestContext request, JsonNode patched, ResourceDefinition definition)
    {
        return decoder.Decode(patched, definition, request.FieldValidation, request.Warnings);
    }

    /// <summary>The body may leave out the name (the URL's is used) but may not name another object or namespace: 400.</summary>
    public static void CheckName(RequestInfo info, IKubernetesObject<V1ObjectMeta> obj)
    {
        if (string.IsNullOrEmpty(obj.Metadata.Name))
        {
            obj.Metadata.Name = info.Name;
        }
        else if (obj.Metadata.Name != info.Name)
        {
            throw ApiException.BadRequest($"the name of the object ({obj.Metadata.Name}) does not match the name on the URL ({info.Name})");
        }

        if (info.Definition.Namespaced && !string.IsNullOrEmpty(obj.Metadata.NamespaceProperty) && obj.Metadata.NamespaceProperty != info.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    /// <summary>A resourceVersion in the request is a precondition: a stale one is 409 Conflict.</summary>
    public static void CheckResourceVersion(ResourceDefinition definition, string name, string? expected, IKubernetesObject<V1ObjectMeta> current)
    {
        if (!string.IsNullOrEmpty(expected) && expected != current.Metadata.ResourceVersion)
        {
            throw ApiException.StaleResourceVersion(definition.Group, definition.Resource, name);
        }
    }

    private static string Key(RequestInfo info) => info.Definition.Key(info.Namespace, info.Name!);

    private static void AddWarnings(RequestContext request)
    {
        foreach (var warning in request.Warnings.Distinct())
        {
            request.Http.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
    }
}
