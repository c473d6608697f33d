using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// Forwards one plain HTTP request (method, headers, body) to a backend and streams the answer back (status, headers,
/// body, flushed as it arrives so following logs and other long responses stream), as kube-apiserver's proxy handler
/// does. A backend that cannot be reached is a 503 "error trying to reach service", as upstream's responder says it.
/// </summary>
internal sealed partial class HttpProxy(ILogger<HttpProxy> logger)
{
    /// <summary>Client headers kept here: hop-by-hop ones and the client's own credentials, which kube-apiserver strips.</summary>
    private static readonly HashSet<string> DroppedRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Authorization", "Proxy-Authorization", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding",
        "TE", "Trailer", "Upgrade", "Expect", "Content-Length",
    };

    /// <summary>Backend headers that describe the backend's own connection, or that Kestrel writes itself.</summary>
    private static readonly HashSet<string> DroppedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Trailer", "Upgrade", "Date", "Server",
    };

    public async Task ForwardAsync(HttpContext context, HttpMessageInvoker client, Uri target)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(client);
        var cancellation = context.RequestAborted;
        using var request = BuildRequest(context, target);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(target, Describe(e));
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw Unreachable(target, "i/o timeout");
        }

        using (response)
        {
            await RelayAsync(context, response, cancellation).ConfigureAwait(false);
        }
    }

    private static HttpRequestMessage BuildRequest(HttpContext context, Uri target)
    {
        var incoming = context.Request;
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), target)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (HasBody(context))
        {
            request.Content = new StreamContent(incoming.Body);
            if (incoming.ContentLength is long length)
            {
                request.Content.Headers.ContentLength = length;
            }
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (DroppedRequestHeaders.Contains(name) || name.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return request;
    }

    /// <summary>
    /// A body is sent when the client sent one (HTTP/2 requests may have one of unknown length), or an empty one for
    /// methods that normally carry it.
    /// </summary>
    private static bool HasBody(HttpContext context) =>
        (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0))
        || context.Request.Method is "POST" or "PUT" or "PATCH";

    private async Task RelayAsync(HttpContext context, HttpResponseMessage response, CancellationToken cancellation)
    {
        var outgoing = context.Response;
        outgoing.StatusCode = (int)response.StatusCode;
        CopyHeaders(response.Headers, outgoing.Headers);
        CopyHeaders(response.Content.Headers, outgoing.Headers);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await outgoing.StartAsync(cancellation).ConfigureAwait(false);
        if (context.Request.Method == "HEAD")
        {
            return;
        }

        var source = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        if (await BodyRelay.CopyAsync(source, outgoing.Body, flushEachChunk: true, cancellation).ConfigureAwait(false) is { } broken)
        {
            // The backend ended the body early; the client has what came, and an unfinished length tells it so.
            Log.BodyEnded(logger, broken.Message);
            context.Abort();
        }
    }

    private static void CopyHeaders(System.Net.Http.Headers.HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from)
        {
            if (!DroppedResponseHeaders.Contains(name))
            {
                to.Append(name, values.ToArray());
            }
        }
    }

    private ApiException Unreachable(Uri target, string reason)
    {
        var authority = target.IsDefaultPort ? $"{target.Host}:{target.Port}" : target.Authority;
        Log.Unreachable(logger, authority, reason);
        // As kube-apiserver's proxy responder: the dial error in Go's words, behind "error trying to reach service".
        return ApiException.ServiceUnavailable($"error trying to reach service: dial tcp {authority}: {reason}");
    }

    private static string Describe(HttpRequestException e) => e.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connect: connection refused",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } => "no such host",
        SocketException s => "connect: " + s.Message,
        TimeoutException or OperationCanceledException => "i/o timeout",
        { } inner => inner.Message,
        null => e.Message,
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot reach the proxy backend {Backend}: {Reason}")]
        public static partial void Unreachable(ILogger logger, string backend, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "The proxy backend ended its response early: {Reason}")]
        public static partial void BodyEnded(ILogger logger, string reason);
    }
}
