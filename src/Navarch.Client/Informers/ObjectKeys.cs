using k8s;
using k8s.Models;

namespace Navarch.Client.Informers;

/// <summary>
/// Cache keys as client-go's <c>MetaNamespaceKeyFunc</c> makes them: <c>namespace/name</c>, or <c>name</c> for
/// cluster-scoped objects. Work queues carry these keys; listers resolve them.
/// </summary>
public static class ObjectKeys
{
    /// <summary>The key of an object.</summary>
    public static string KeyOf(IMetadata<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var metadata = obj.Metadata ?? throw new ArgumentException("The object has no metadata.", nameof(obj));
        return Key(metadata.NamespaceProperty, metadata.Name ?? throw new ArgumentException("The object has no name.", nameof(obj)));
    }

    /// <summary>The key for a namespace (null or empty for cluster-scoped) and a name.</summary>
    public static string Key(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : string.Concat(ns, "/", name);

    /// <summary>Splits a key into namespace (empty for cluster-scoped) and name, as client-go's <c>SplitMetaNamespaceKey</c>.</summary>
    /// <exception cref="FormatException">The key has more than one slash.</exception>
    public static (string Namespace, string Name) Split(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (string.Empty, key);
        }

        if (key.IndexOf('/', slash + 1) >= 0)
        {
            throw new FormatException($"unexpected key format: \"{key}\"");
        }

        return (key[..slash], key[(slash + 1)..]);
    }
}
