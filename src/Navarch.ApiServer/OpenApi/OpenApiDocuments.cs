using System.Text.Json;
using System.Text.Json.Nodes;
using Navarch.ApiServer.Discovery;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.OpenApi;

/// <summary>
/// The serialized OpenAPI documents, built once on first use (the v2 document is megabytes; nothing is generated
/// per request) and kept with their hashes for ETags and the v3 index's <c>?hash=</c> URLs.
/// </summary>
internal sealed class OpenApiDocuments
{
    private readonly Lazy<CachedDocument> _v2;
    private readonly Lazy<(CachedDocument Index, IReadOnlyDictionary<string, CachedDocument> ByPath)> _v3;

    public OpenApiDocuments(ResourceRegistry registry, Func<ModelDescriptions> descriptions)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(descriptions);
        var builder = new Lazy<OpenApiDocumentBuilder>(() => new OpenApiDocumentBuilder(registry, descriptions()));
        _v2 = new Lazy<CachedDocument>(() => new CachedDocument(JsonSerializer.SerializeToUtf8Bytes(builder.Value.BuildV2())));
        _v3 = new Lazy<(CachedDocument, IReadOnlyDictionary<string, CachedDocument>)>(() => BuildV3(builder.Value));
    }

    /// <summary>The Swagger 2.0 document.</summary>
    public CachedDocument V2 => _v2.Value;

    /// <summary>The <c>/openapi/v3</c> index: <c>{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."}}}</c>.</summary>
    public CachedDocument V3Index => _v3.Value.Index;

    /// <summary>The v3 document of <c>api/v1</c> or <c>apis/{group}/{version}</c>, or null if not served.</summary>
    public CachedDocument? V3(string path) => _v3.Value.ByPath.GetValueOrDefault(path);

    /// <summary>Builds every document now, so that the first client does not wait for it.</summary>
    public void Warm()
    {
        _ = V2;
        _ = V3Index;
    }

    private static (CachedDocument, IReadOnlyDictionary<string, CachedDocument>) BuildV3(OpenApiDocumentBuilder builder)
    {
        var byPath = new SortedDictionary<string, CachedDocument>(StringComparer.Ordinal);
        foreach (var (path, document) in builder.BuildV3())
        {
            byPath[path] = new CachedDocument(JsonSerializer.SerializeToUtf8Bytes(document));
        }

        var paths = new JsonObject();
        foreach (var (path, document) in byPath)
        {
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={document.Hash}" };
        }

        var index = new CachedDocument(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["paths"] = paths }));
        return (index, byPath);
    }
}
