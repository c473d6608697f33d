using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>
/// Metadata-level REST calls on any served resource, addressed by <see cref="ApiResource"/> rather than by a typed
/// model: the garbage collector and the namespace controller act on every kind alike, as Kubernetes' metadata
/// and dynamic clients do. Reads ask for <c>PartialObjectMetadata</c> so only metadata crosses the wire.
/// </summary>
internal sealed class ResourceApi
{
    private const string MetadataAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    private const string MetadataListAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

    private readonly Kubernetes _client;
    private readonly string _base;

    public ResourceApi(IKubernetes client)
    {
        _client = client as Kubernetes
            ?? throw new ArgumentException("The garbage collector needs a k8s.Kubernetes client (it calls the API over its HttpClient).", nameof(client));
        _base = _client.BaseUri.ToString().TrimEnd('/') + "/";
    }

    /// <summary>The object's metadata, or null when it does not exist.</summary>
    public async Task<PartialObject?> GetMetadataAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, resource.Path(ns, name), MetadataAccept, null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        var body = await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return KubernetesJson.Deserialize<PartialObject>(body);
    }

    /// <summary>The metadata of every object of <paramref name="resource"/> in <paramref name="ns"/>.</summary>
    public async Task<IReadOnlyList<PartialObject>> ListMetadataAsync(ApiResource resource, string? ns, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, resource.Path(ns), MetadataListAccept, null, null, cancellationToken).ConfigureAwait(false);
        var body = await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return KubernetesJson.Deserialize<PartialObjectList>(body).Items ?? [];
    }

    /// <summary>Deletes one object; false when it was already gone or its UID no longer matches the precondition.</summary>
    public async Task<bool> DeleteAsync(ApiResource resource, string? ns, string name, V1DeleteOptions options, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, resource.Path(ns, name), "application/json",
            KubernetesJson.Serialize(options), "application/json", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict) return false;
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes every object of <paramref name="resource"/> in <paramref name="ns"/> (deletecollection).</summary>
    public async Task DeleteCollectionAsync(ApiResource resource, string ns, V1DeleteOptions options, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, resource.Path(ns), "application/json",
            KubernetesJson.Serialize(options), "application/json", cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A JSON merge patch of the object's metadata; false when the object is gone. A <c>resourceVersion</c> in the
    /// patch makes it conditional: a stale one fails with Conflict, which the caller's retry answers.
    /// </summary>
    public async Task<bool> PatchMetadataAsync(ApiResource resource, string? ns, string name, JsonObject metadata, CancellationToken cancellationToken)
    {
        var patch = new JsonObject { ["metadata"] = metadata }.ToJsonString();
        using var response = await SendAsync(HttpMethod.Patch, resource.Path(ns, name), "application/json",
            patch, "application/merge-patch+json", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>A GET of <paramref name="path"/> (e.g. a discovery document) as a JSON tree.</summary>
    public async Task<JsonNode?> GetJsonAsync(string path, string accept, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, accept, null, null, cancellationToken).ConfigureAwait(false);
        var body = await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(body);
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, string accept, string? body, string? contentType, CancellationToken cancellationToken)
    {
        var http = _client.HttpClient;
        using var request = new HttpRequestMessage(method, _base + path)
        {
            Version = http.DefaultRequestVersion,
            VersionPolicy = http.DefaultVersionPolicy,
        };
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }

        if (_client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return body;
        var message = body;
        try
        {
            if (JsonNode.Parse(body)?["message"]?.GetValue<string>() is { } text) message = text;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        throw new ResourceApiException(response.StatusCode,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {message}");
    }
}
