using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Handlers;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// A transparent HTTP/1.1 Upgrade proxy to a kubelet, as kube-apiserver's UpgradeAwareHandler: the client's request
/// head goes to the kubelet; a 101 answer is given to the client with the kubelet's protocol headers and the bytes are
/// then copied both ways until either side closes; any other answer is relayed as it is. Relaying a refused WebSocket
/// upgrade unchanged matters: kubectl treats a non-101 answer as an upgrade failure and falls back to SPDY.
/// </summary>
internal sealed partial class UpgradeProxy(KubeletConnector connector, ILogger<UpgradeProxy> logger)
{
    private const int CopyBufferSize = 32 * 1024;

    /// <summary>Client headers not passed to the kubelet: the client's credentials stay here, as kube-apiserver strips them.</summary>
    private static readonly HashSet<string> DroppedRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Authorization", "Proxy-Authorization", "Transfer-Encoding", "Keep-Alive", "Proxy-Connection",
    };

    /// <summary>Backend headers Kestrel writes itself or that describe the backend's own connection.</summary>
    private static readonly HashSet<string> DroppedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Date", "Server", "Proxy-Connection",
    };

    public async Task ProxyAsync(HttpContext context, KubeletEndpoint endpoint, string pathAndQuery)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            throw ApiException.BadRequest("Upgrade request required");
        }

        var cancellation = context.RequestAborted;
        Stream stream;
        try
        {
            stream = await connector.ConnectAsync(endpoint, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException
            or TimeoutException)
        {
            Log.DialFailed(logger, endpoint.Authority, e.Message);
            throw ApiException.Internal($"error dialing backend: {e.Message}");
        }

        await using var backend = new BackendConnection(stream);
        await backend.WriteHeadAsync(context.Request.Method, pathAndQuery, RequestHeaders(context.Request, endpoint), cancellation).ConfigureAwait(false);
        BackendResponseHead head;
        try
        {
            head = await backend.ReadHeadAsync(cancellation).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw ApiException.Internal($"error reading the kubelet's response: {e.Message}");
        }

        if (head.StatusCode != StatusCodes.Status101SwitchingProtocols)
        {
            await RelayRefusalAsync(context, backend, head).ConfigureAwait(false);
            return;
        }

        foreach (var (name, value) in head.Headers)
        {
            if (!DroppedResponseHeaders.Contains(name))
            {
                context.Response.Headers.Append(name, value);
            }
        }

        var client = await upgrade.UpgradeAsync().ConfigureAwait(false);
        if (!backend.Buffered.IsEmpty)
        {
            await client.WriteAsync(backend.Buffered, cancellation).ConfigureAwait(false);
            await client.FlushAsync(cancellation).ConfigureAwait(false);
        }

        await PumpAsync(client, backend.Stream, cancellation).ConfigureAwait(false);
    }

    private static IEnumerable<KeyValuePair<string, string>> RequestHeaders(HttpRequest request, KubeletEndpoint endpoint)
    {
        yield return new("Host", endpoint.Authority);
        foreach (var (name, values) in request.Headers)
        {
            if (DroppedRequestHeaders.Contains(name) || name.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (value is not null)
                {
                    yield return new(name, value);
                }
            }
        }
    }

    private static async Task RelayRefusalAsync(HttpContext context, BackendConnection backend, BackendResponseHead head)
    {
        byte[] body;
        try
        {
            body = await backend.ReadBodyAsync(head, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw ApiException.Internal($"error reading the kubelet's response: {e.Message}");
        }

        context.Response.StatusCode = head.StatusCode;
        foreach (var (name, value) in head.Headers)
        {
            if (!DroppedResponseHeaders.Contains(name) && !name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers.Append(name, value);
            }
        }

        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Copies both ways; when either direction ends the other is stopped, as kube-apiserver's proxy does.</summary>
    private static async Task PumpAsync(Stream client, Stream backend, CancellationToken cancellation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var up = CopyAsync(client, backend, stop.Token);
        var down = CopyAsync(backend, client, stop.Token);
        await Task.WhenAny(up, down).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(Quietly(up), Quietly(down)).ConfigureAwait(false);
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken cancellation)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                await to.FlushAsync(cancellation).ConfigureAwait(false);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Ending a stream pair means the other direction fails with cancellation or a reset; that is the normal end.</summary>
    private static async Task Quietly(Task copy)
    {
        try
        {
            await copy.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException
            or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            // The connection ended; nothing is left to relay.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot reach the kubelet at {Kubelet} for a streaming request: {Reason}")]
        public static partial void DialFailed(ILogger logger, string kubelet, string reason);
    }
}
