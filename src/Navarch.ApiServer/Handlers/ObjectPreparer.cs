using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Serialization;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// The generic part of create and update that kube-apiserver's registry store does around a kind's strategy:
/// system metadata (uid, creationTimestamp, generation, generated names), then the strategy's prepare,
/// defaulting and validation, failing with 422 Invalid.
/// </summary>
public sealed class ObjectPreparer(TimeProvider time)
{
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public DateTime Now()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    public void PrepareCreate(RequestContext request, IKubernetesObject<V1ObjectMeta> obj)
    {
        var definition = request.Info.Definition;
        var meta = obj.Metadata;
        CheckNamespace(request.Info, meta);
        meta.NamespaceProperty = definition.Namespaced ? request.Info.Namespace : null;

        if (string.IsNullOrEmpty(meta.Name) && !string.IsNullOrEmpty(meta.GenerateName))
        {
            meta.Name = GenerateName(meta.GenerateName);
        }

        if (string.IsNullOrEmpty(meta.Name))
        {
            throw ApiException.Invalid(definition.Group, definition.Kind, "",
                [FieldError.Required("metadata.name", "name or generateName is required")]);
        }

        meta.Uid = Guid.NewGuid().ToString();
        meta.CreationTimestamp = Now();
        meta.ResourceVersion = null;
        meta.DeletionTimestamp = null;
        meta.DeletionGracePeriodSeconds = null;
        meta.Generation = definition.Strategy.TracksGeneration ? 1 : null;

        definition.Strategy.PrepareForCreate(obj);
        definition.Strategy.Default(obj);
        var errors = new List<FieldError>();
        definition.Strategy.Validate(obj, errors);
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(definition.Group, definition.Kind, meta.Name, errors);
        }
    }

    /// <summary>Prepares <paramref name="obj"/> to replace <paramref name="old"/> through the main resource.</summary>
    public void PrepareUpdate(RequestContext request, IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old)
    {
        var definition = request.Info.Definition;
        CopySystemMetadata(obj, old);
        definition.Strategy.PrepareForUpdate(obj, old);
        definition.Strategy.Default(obj);
        Validate(definition, obj, old);
        BumpGeneration(definition, obj, old);
    }

    public static void Validate(ResourceDefinition definition, IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old)
    {
        var errors = new List<FieldError>();
        definition.Strategy.ValidateUpdate(obj, old, errors);
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(definition.Group, definition.Kind, obj.Metadata.Name, errors);
        }
    }

    /// <summary>Fields only the server sets are kept from the stored object, whatever the client sent.</summary>
    public static void CopySystemMetadata(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old)
    {
        var meta = obj.Metadata;
        var was = old.Metadata;
        meta.Name = was.Name;
        meta.NamespaceProperty = was.NamespaceProperty;
        meta.Uid = was.Uid;
        meta.CreationTimestamp = was.CreationTimestamp;
        meta.DeletionTimestamp = was.DeletionTimestamp;
        meta.DeletionGracePeriodSeconds = was.DeletionGracePeriodSeconds;
        meta.Generation = was.Generation;
        meta.GenerateName ??= was.GenerateName;
        meta.ManagedFields ??= was.ManagedFields;
    }

    /// <summary>As kube-apiserver's strategies do for workloads: a spec change bumps metadata.generation.</summary>
    public static void BumpGeneration(ResourceDefinition definition, IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old)
    {
        if (!definition.Strategy.TracksGeneration)
        {
            return;
        }

        obj.Metadata.Generation = old.Metadata.Generation ?? 1;
        if (!JsonNode.DeepEquals(SpecOf(obj), SpecOf(old)))
        {
            obj.Metadata.Generation += 1;
        }
    }

    private static JsonNode? SpecOf(IKubernetesObject<V1ObjectMeta> obj)
    {
        var node = ApiJson.SerializeToNode(obj) as JsonObject;
        node?.Remove("metadata");
        node?.Remove("status");
        node?.Remove("apiVersion");
        node?.Remove("kind");
        return node;
    }

    private static void CheckNamespace(RequestInfo info, V1ObjectMeta meta)
    {
        if (!info.Definition.Namespaced)
        {
            return;
        }

        if (!string.IsNullOrEmpty(meta.NamespaceProperty) && meta.NamespaceProperty != info.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private static string GenerateName(string prefix)
    {
        // kube-apiserver trims the prefix so that the generated name stays within 63 characters.
        const int maxPrefix = 63 - 5;
        if (prefix.Length > maxPrefix)
        {
            prefix = prefix[..maxPrefix];
        }

        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = NameAlphabet[Random.Shared.Next(NameAlphabet.Length)];
        }

        return prefix + new string(suffix);
    }
}
