using System.Buffers;
using System.Text.Json;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Discovery;

/// <summary>
/// The discovery documents of a registry, serialized once: the legacy <c>APIVersions</c>, <c>APIGroupList</c>,
/// <c>APIGroup</c> and <c>APIResourceList</c>, and the aggregated <c>APIGroupDiscoveryList</c> (apidiscovery.k8s.io
/// v2 and v2beta1) that kubectl 1.27+ asks for first. The registry is immutable, so nothing is rebuilt per request.
/// </summary>
internal sealed class DiscoveryDocuments
{
    private readonly Dictionary<(string Group, string Version), CachedDocument> _resourceLists = [];
    private readonly Dictionary<string, CachedDocument> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<(bool Core, string Version), CachedDocument> _aggregated = [];

    public DiscoveryDocuments(ResourceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        foreach (var group in registry.Groups)
        {
            if (group.Name.Length > 0)
            {
                _groups[group.Name] = new CachedDocument(Write(w => WriteGroup(w, group, withTypeMeta: true)));
            }

            foreach (var version in group.Versions)
            {
                _resourceLists[(group.Name, version)] = new CachedDocument(Write(w => WriteResourceList(w, group.Name, version)));
            }
        }

        GroupList = new CachedDocument(Write(WriteGroupList));
        foreach (var version in AggregatedDiscoveryMediaType.Versions)
        {
            _aggregated[(true, version)] = new CachedDocument(Write(w => WriteAggregated(w, version, core: true)));
            _aggregated[(false, version)] = new CachedDocument(Write(w => WriteAggregated(w, version, core: false)));
        }
    }

    public ResourceRegistry Registry { get; }

    /// <summary><c>/apis</c> as an <c>APIGroupList</c>.</summary>
    public CachedDocument GroupList { get; }

    /// <summary><c>/apis/{group}</c> as an <c>APIGroup</c>, or null for an unknown group.</summary>
    public CachedDocument? Group(string name) => _groups.GetValueOrDefault(name);

    /// <summary><c>/api/v1</c> or <c>/apis/{group}/{version}</c> as an <c>APIResourceList</c>, or null if not served.</summary>
    public CachedDocument? ResourceList(string group, string version) => _resourceLists.GetValueOrDefault((group, version));

    /// <summary>The aggregated document of <c>/api</c> (<paramref name="core"/>) or <c>/apis</c> in the given apidiscovery version.</summary>
    public CachedDocument Aggregated(bool core, string discoveryVersion) => _aggregated[(core, discoveryVersion)];

    /// <summary><c>/api</c> as an <c>APIVersions</c>; the server address depends on the request, so it is not cached.</summary>
    public byte[] ApiVersions(string serverAddress) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "APIVersions");
        w.WriteStartArray("versions");
        foreach (var group in Registry.Groups.Where(g => g.Name.Length == 0))
        {
            foreach (var version in group.Versions)
            {
                w.WriteStringValue(version);
            }
        }

        w.WriteEndArray();
        w.WriteStartArray("serverAddressByClientCIDRs");
        w.WriteStartObject();
        w.WriteString("clientCIDR", "0.0.0.0/0");
        w.WriteString("serverAddress", serverAddress);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void WriteGroupList(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("kind", "APIGroupList");
        w.WriteString("apiVersion", "v1");
        w.WriteStartArray("groups");
        foreach (var group in Registry.Groups.Where(g => g.Name.Length > 0))
        {
            WriteGroup(w, group, withTypeMeta: false);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteGroup(Utf8JsonWriter w, ApiGroup group, bool withTypeMeta)
    {
        w.WriteStartObject();
        if (withTypeMeta)
        {
            w.WriteString("kind", "APIGroup");
            w.WriteString("apiVersion", "v1");
        }

        w.WriteString("name", group.Name);
        w.WriteStartArray("versions");
        foreach (var version in group.Versions)
        {
            WriteGroupVersion(w, group.Name, version);
        }

        w.WriteEndArray();
        w.WritePropertyName("preferredVersion");
        WriteGroupVersion(w, group.Name, group.PreferredVersion);
        w.WriteEndObject();
    }

    private static void WriteGroupVersion(Utf8JsonWriter w, string group, string version)
    {
        w.WriteStartObject();
        w.WriteString("groupVersion", $"{group}/{version}");
        w.WriteString("version", version);
        w.WriteEndObject();
    }

    private void WriteResourceList(Utf8JsonWriter w, string group, string version)
    {
        w.WriteStartObject();
        w.WriteString("kind", "APIResourceList");
        w.WriteString("apiVersion", "v1");
        w.WriteString("groupVersion", group.Length == 0 ? version : $"{group}/{version}");
        w.WriteStartArray("resources");

        // kube-apiserver lists resources and their subresources sorted by name ("pods", "pods/binding", ...).
        var entries = new List<(string Name, Action<Utf8JsonWriter> Write)>();
        foreach (var resource in Registry.InGroupVersion(group, version))
        {
            entries.Add((resource.Resource, writer => WriteResource(writer, resource)));
            foreach (var sub in SubresourceInfo.For(resource))
            {
                entries.Add(($"{resource.Resource}/{sub.Name}", writer => WriteSubresource(writer, resource, sub)));
            }
        }

        foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            entry.Write(w);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteResource(Utf8JsonWriter w, ResourceDefinition resource)
    {
        w.WriteStartObject();
        w.WriteString("name", resource.Resource);
        w.WriteString("singularName", resource.Singular);
        w.WriteBoolean("namespaced", resource.Namespaced);
        w.WriteString("kind", resource.Kind);
        WriteStrings(w, "verbs", resource.Verbs, always: true);
        WriteStrings(w, "shortNames", resource.ShortNames, always: false);
        WriteStrings(w, "categories", resource.Categories, always: false);
        w.WriteString("storageVersionHash", StorageVersionHash.Of(resource.Group, resource.Version, resource.Kind));
        w.WriteEndObject();
    }

    private static void WriteSubresource(Utf8JsonWriter w, ResourceDefinition resource, SubresourceInfo sub)
    {
        w.WriteStartObject();
        w.WriteString("name", $"{resource.Resource}/{sub.Name}");
        w.WriteString("singularName", "");
        w.WriteBoolean("namespaced", resource.Namespaced);
        if (sub.Group != resource.Group || sub.Version != resource.Version)
        {
            w.WriteString("group", sub.Group);
            w.WriteString("version", sub.Version);
        }

        w.WriteString("kind", sub.Kind);
        WriteStrings(w, "verbs", sub.Verbs, always: true);
        w.WriteEndObject();
    }

    private void WriteAggregated(Utf8JsonWriter w, string discoveryVersion, bool core)
    {
        w.WriteStartObject();
        w.WriteString("kind", "APIGroupDiscoveryList");
        w.WriteString("apiVersion", $"{AggregatedDiscoveryMediaType.Group}/{discoveryVersion}");
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteStartArray("items");
        foreach (var group in Registry.Groups.Where(g => (g.Name.Length == 0) == core))
        {
            w.WriteStartObject();
            w.WriteStartObject("metadata");
            if (group.Name.Length > 0)
            {
                w.WriteString("name", group.Name);
            }

            w.WriteNull("creationTimestamp");
            w.WriteEndObject();
            w.WriteStartArray("versions");
            foreach (var version in group.Versions)
            {
                w.WriteStartObject();
                w.WriteString("version", version);
                w.WriteStartArray("resources");
                foreach (var resource in Registry.InGroupVersion(group.Name, version).OrderBy(r => r.Resource, StringComparer.Ordinal))
                {
                    WriteAggregatedResource(w, resource);
                }

                w.WriteEndArray();
                w.WriteString("freshness", "Current");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteAggregatedResource(Utf8JsonWriter w, ResourceDefinition resource)
    {
        w.WriteStartObject();
        w.WriteString("resource", resource.Resource);
        WriteKind(w, "responseKind", resource.Group, resource.Version, resource.Kind);
        w.WriteString("scope", resource.Namespaced ? "Namespaced" : "Cluster");
        w.WriteString("singularResource", resource.Singular);
        WriteStrings(w, "verbs", resource.Verbs, always: true);
        WriteStrings(w, "shortNames", resource.ShortNames, always: false);
        WriteStrings(w, "categories", resource.Categories, always: false);
        var subresources = SubresourceInfo.For(resource);
        if (subresources.Count > 0)
        {
            w.WriteStartArray("subresources");
            foreach (var sub in subresources.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("subresource", sub.Name);
                WriteKind(w, "responseKind", sub.Group, sub.Version, sub.Kind);
                WriteStrings(w, "verbs", sub.Verbs, always: true);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteKind(Utf8JsonWriter w, string property, string group, string version, string kind)
    {
        w.WriteStartObject(property);
        w.WriteString("group", group);
        w.WriteString("version", version);
        w.WriteString("kind", kind);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string property, IReadOnlyList<string> values, bool always)
    {
        if (values.Count == 0 && !always)
        {
            return;
        }

        w.WriteStartArray(property);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
