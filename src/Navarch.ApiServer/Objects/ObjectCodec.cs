using System.Globalization;
using k8s;
using k8s.Models;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Serialization;
using Navarch.ApiServer.Watch;
using Navarch.Storage;

namespace Navarch.ApiServer.Objects;

/// <summary>
/// Moves objects between the store and the API: stored JSON carries no resourceVersion (as in kube-apiserver,
/// the store's mod revision is the resourceVersion), so decoding sets it from the key's revision.
/// </summary>
public static class ObjectCodec
{
    public static IKubernetesObject<V1ObjectMeta> Decode(ResourceDefinition definition, KeyValue kv) =>
        Decode(definition, kv.Value.Span, kv.ModRevision);

    public static IKubernetesObject<V1ObjectMeta> Decode(ResourceDefinition definition, ReadOnlySpan<byte> json, long revision)
    {
        var obj = ApiJson.Deserialize(json, definition.ModelType) as IKubernetesObject<V1ObjectMeta>
            ?? throw new InvalidDataException($"stored {definition.Kind} is not an object");
        obj.Metadata ??= new V1ObjectMeta();
        obj.ApiVersion = definition.GroupVersion;
        obj.Kind = definition.Kind;
        obj.Metadata.ResourceVersion = revision.ToString(CultureInfo.InvariantCulture);
        return obj;
    }

    /// <summary>The bytes to store: the object without its resourceVersion.</summary>
    public static byte[] EncodeForStorage(IKubernetesObject<V1ObjectMeta> obj)
    {
        var rv = obj.Metadata.ResourceVersion;
        obj.Metadata.ResourceVersion = null;
        try
        {
            return ApiJson.SerializeToUtf8Bytes(obj);
        }
        finally
        {
            obj.Metadata.ResourceVersion = rv;
        }
    }

    public static CachedObject ToCached(ResourceDefinition definition, string key, IKubernetesObject<V1ObjectMeta> obj, long revision)
    {
        obj.Metadata.ResourceVersion = revision.ToString(CultureInfo.InvariantCulture);
        var strategy = definition.Strategy;
        var fields = new Dictionary<string, string>(strategy.SelectableFields.Count + 2, StringComparer.Ordinal)
        {
            ["metadata.name"] = obj.Metadata.Name ?? "",
            ["metadata.namespace"] = obj.Metadata.NamespaceProperty ?? "",
        };
        foreach (var field in strategy.SelectableFields)
        {
            fields[field] = strategy.GetSelectableField(obj, field);
        }

        return new CachedObject(
            key,
            obj.Metadata.NamespaceProperty ?? "",
            obj.Metadata.Name ?? "",
            obj.Metadata.Labels is { Count: > 0 } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : null,
            fields,
            ApiJson.SerializeToUtf8Bytes(obj),
            revision);
    }

    public static long ParseResourceVersion(string? value, string parameter = "resourceVersion")
    {
        if (string.IsNullOrEmpty(value))
        {
            return 0;
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rv) || rv < 0)
        {
            throw Errors.ApiException.BadRequest($"invalid {parameter}: \"{value}\"");
        }

        return rv;
    }
}
