using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Navarch.ApiServer.Discovery;

/// <summary>
/// A serialized document built once, with a strong ETag over its bytes so that clients' HTTP caches (kubectl's
/// discovery cache among them) can revalidate with <c>If-None-Match</c> and get 304 Not Modified.
/// </summary>
internal sealed class CachedDocument
{
    public CachedDocument(byte[] body)
    {
        Body = body;
        Hash = Convert.ToHexString(SHA512.HashData(body));
        ETag = $"\"{Hash}\"";
    }

    public byte[] Body { get; }

    /// <summary>Upper-case hex SHA-512 of the body, as kube-apiserver publishes for OpenAPI v3 documents.</summary>
    public string Hash { get; }

    /// <summary>The quoted entity tag.</summary>
    public string ETag { get; }

    /// <summary>True when the request's <c>If-None-Match</c> names this document's ETag (or <c>*</c>).</summary>
    public bool MatchesIfNoneMatch(HttpRequest request)
    {
        foreach (var value in request.Headers.IfNoneMatch)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var candidate in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var tag = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
                if (tag == "*" || string.Equals(tag, ETag, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Writes the body (or 304 when the client's copy is current) with the given content type.</summary>
    public Task WriteAsync(HttpContext context, string contentType, string? cacheControl = null)
    {
        var response = context.Response;
        response.Headers.ETag = ETag;
        response.Headers.Vary = HeaderNames.Accept;
        if (cacheControl is not null)
        {
            response.Headers.CacheControl = cacheControl;
        }

        if (MatchesIfNoneMatch(context.Request))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = Body.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
    }
}
