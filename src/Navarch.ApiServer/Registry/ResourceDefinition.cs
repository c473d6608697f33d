using Navarch.ApiServer.Printing;

namespace Navarch.ApiServer.Registry;

/// <summary>
/// Everything the API server knows about one group/version/resource: names for discovery, scope,
/// the typed model, and the strategy that carries the kind's own behaviour. Adding a kind is adding
/// one of these, never a handler.
/// </summary>
public sealed record ResourceDefinition
{
    /// <summary>API group; empty for the core group.</summary>
    public required string Group { get; init; }

    public required string Version { get; init; }

    /// <summary>Plural, lower-case resource name used in URLs (e.g. <c>pods</c>).</summary>
    public required string Resource { get; init; }

    public required string Kind { get; init; }

    public required string Singular { get; init; }

    public required bool Namespaced { get; init; }

    /// <summary>KubernetesClient model type, e.g. <c>typeof(V1Pod)</c>.</summary>
    public required Type ModelType { get; init; }

    /// <summary>KubernetesClient list model type, e.g. <c>typeof(V1PodList)</c>.</summary>
    public required Type ListType { get; init; }

    public required IResourceStrategy Strategy { get; init; }

    public ITableConvertor Table { get; init; } = DefaultTableConvertor.Instance;

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Subresources served besides the main resource, e.g. <c>status</c>, <c>scale</c>, <c>binding</c>.</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];

    /// <summary>Verbs listed in discovery; the generic handler serves all of them.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = StandardVerbs;

    /// <summary>Storage key segment; kube-apiserver keeps most kinds under their resource name.</summary>
    public string StorageResource { get; init; } = "";

    public static readonly IReadOnlyList<string> StandardVerbs =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary><c>v1</c> for the core group, else <c>group/version</c>.</summary>
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Key prefix of every object of this resource, ending in a slash.</summary>
    /// <remarks>kube-apiserver keeps a few kinds under another name (nodes under <c>minions</c>, services under
    /// <c>services/specs</c>); <see cref="StorageResource"/> matches that layout.</remarks>
    public string KeyPrefix => $"/registry/{(StorageResource.Length > 0 ? StorageResource : Resource)}/";

    public bool HasSubresource(string name) => Subresources.Contains(name, StringComparer.Ordinal);

    /// <summary>The storage key of one object.</summary>
    public string Key(string? @namespace, string name) =>
        Namespaced ? $"{KeyPrefix}{@namespace}/{name}" : KeyPrefix + name;

    /// <summary>Prefix of the objects of one namespace (or all of them when <paramref name="namespace"/> is null).</summary>
    public string Prefix(string? @namespace) =>
        Namespaced && !string.IsNullOrEmpty(@namespace) ? $"{KeyPrefix}{@namespace}/" : KeyPrefix;
}
