using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Navarch.Bench;

/// <summary>Raw JSON requests for the <c>scheduler</c> benchmark, with pre-encoded bodies (the bench shares the cores).</summary>
internal static class SchedulerHttp
{
    /// <summary>
    /// A request with the client's HTTP version and policy: those defaults apply only to the requests HttpClient's
    /// helpers build, and a hand-built message would otherwise go out as HTTP/1.1.
    /// </summary>
    public static HttpRequestMessage NewRequest(HttpClient http, HttpMethod method, string path, string? json = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Version = http.DefaultRequestVersion,
            VersionPolicy = http.DefaultVersionPolicy,
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (json is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        return request;
    }

    /// <summary>Sends the request and returns the response body, failing unless the status is one of <paramref name="expected"/>.</summary>
    public static async Task<byte[]> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken ct, params HttpStatusCode[] expected)
    {
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (Array.IndexOf(expected, response.StatusCode) < 0)
        {
            throw new InvalidOperationException(
                $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}, expected {string.Join(" or ", expected.Select(e => (int)e))}: {Encoding.UTF8.GetString(body)}");
        }

        return body;
    }

    /// <summary>Creates the namespace unless it exists.</summary>
    public static async Task EnsureNamespaceAsync(HttpClient http, string name, CancellationToken ct)
    {
        using var request = NewRequest(http, HttpMethod.Post, "/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""");
        await SendAsync(http, request, ct, HttpStatusCode.Created, HttpStatusCode.Conflict).ConfigureAwait(false);
    }
}
