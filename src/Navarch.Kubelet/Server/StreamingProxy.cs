using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Navarch.Kubelet.Server;

/// <summary>
/// Proxies a client's HTTP/1.1 Upgrade request (SPDY/3.1 or WebSocket) to the runtime's streaming server URL, as the
/// kubelet does when it does not redirect: the request head goes to the streaming server unchanged, its
/// <c>101 Switching Protocols</c> head comes back through Kestrel, and then bytes flow both ways untouched, so the
/// client and the runtime negotiate their stream protocol (<c>v4.channel.k8s.io</c>, <c>portforward.k8s.io</c>, ...)
/// end to end.
/// </summary>
internal static class StreamingProxy
{
    private const int HeadLimit = 16 * 1024;
    private const int RelayChunk = 32 * 1024;

    public static async Task ProxyAsync(HttpContext context, Uri target, CancellationToken cancellationToken)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is null || !upgrade.IsUpgradableRequest)
        {
            await KubeletStatus.WriteAsync(context, StatusCodes.Status400BadRequest, "Upgrade request required", cancellationToken).ConfigureAwait(false);
            return;
        }

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target.Host, target.Port, cancellationToken).ConfigureAwait(false);
        await using var backend = new NetworkStream(socket, ownsSocket: false);
        await backend.WriteAsync(RequestHead(context.Request, target), cancellationToken).ConfigureAwait(false);

        var buffer = ArrayPool<byte>.Shared.Rent(HeadLimit);
        try
        {
            int filled = 0, headEnd;
            while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
            {
                var read = filled < HeadLimit ? await backend.ReadAsync(buffer.AsMemory(filled, HeadLimit - filled), cancellationToken).ConfigureAwait(false) : 0;
                if (read == 0)
                {
                    await KubeletStatus.WriteAsync(context, StatusCodes.Status502BadGateway,
                        "the container runtime's streaming server did not answer the upgrade", cancellationToken).ConfigureAwait(false);
                    return;
                }

                filled += read;
            }

            var (status, headers) = ParseHead(Encoding.Latin1.GetString(buffer, 0, headEnd));
            var leftover = buffer.AsMemory(headEnd + 4, filled - headEnd - 4);
            if (status != StatusCodes.Status101SwitchingProtocols)
            {
                await RelayRefusalAsync(context, backend, status, headers, leftover, cancellationToken).ConfigureAwait(false);
                return;
            }

            foreach (var (name, value) in headers)
            {
                if (IsOwnedByKestrel(name)) continue;
                context.Response.Headers.Append(name, value);
            }

            await using var client = await upgrade.UpgradeAsync().ConfigureAwait(false);
            if (!leftover.IsEmpty)
            {
                await client.WriteAsync(leftover, cancellationToken).ConfigureAwait(false);
                await client.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
            await RelayAsync(client, backend, socket, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] RequestHead(HttpRequest request, Uri target)
    {
        // The runtime's URL is a one-time token path; the client's query rides along (WebSocket port-forward reads
        // its ports from it).
        var query = string.IsNullOrEmpty(target.Query) ? request.QueryString.Value : target.Query;
        var head = new StringBuilder(512);
        head.Append(request.Method).Append(' ').Append(target.AbsolutePath).Append(query).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(target.Authority).Append("\r\n");
        foreach (var (name, values) in request.Headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var value in values)
            {
                head.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        head.Append("\r\n");
        return Encoding.Latin1.GetBytes(head.ToString());
    }

    private static (int Status, List<(string Name, string Value)> Headers) ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ', 3);
        var status = parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : 502;
        var headers = new List<(string, string)>(lines.Length);
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) headers.Add((lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim()));
        }

        return (status, headers);
    }

    /// <summary>Headers Kestrel writes itself, or that describe the proxied connection rather than the response.</summary>
    private static bool IsOwnedByKestrel(string name) =>
        name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Date", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Server", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase);

    /// <summary>The streaming server refused (a bad protocol, an expired token): pass its answer on as is.</summary>
    private static async Task RelayRefusalAsync(
        HttpContext context, NetworkStream backend, int status, List<(string Name, string Value)> headers, ReadOnlyMemory<byte> leftover,
        CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        long? length = null;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                length = parsed;
            }

            if (!IsOwnedByKestrel(name)) context.Response.Headers.Append(name, value);
        }

        var body = length is { } total && total < leftover.Length ? leftover[..(int)total] : leftover;
        await context.Response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        var remaining = (length ?? long.MaxValue) - body.Length;
        var chunk = ArrayPool<byte>.Shared.Rent(RelayChunk);
        try
        {
            while (remaining > 0)
            {
                var read = await backend.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, remaining)), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static async Task RelayAsync(Stream client, NetworkStream backend, Socket socket, CancellationToken cancellationToken)
    {
        using var relay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var toRuntime = PumpAsync(client, backend, relay.Token, () => ShutdownSend(socket));
        var toClient = PumpAsync(backend, client, relay.Token, static () => { });
        if (await Task.WhenAny(toRuntime, toClient).ConfigureAwait(false) == toRuntime)
        {
            // The client finished sending; the runtime still answers until it ends the session or the client leaves.
            await toClient.ConfigureAwait(false);
        }

        await relay.CancelAsync().ConfigureAwait(false);
        await toRuntime.ConfigureAwait(false);
    }

    private static async Task PumpAsync(Stream from, Stream to, CancellationToken cancellationToken, Action completed)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(RelayChunk);
        try
        {
            int read;
            while ((read = await from.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await to.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                await to.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Either side going away ends the session; there is no one left to tell.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            completed();
        }
    }

    private static void ShutdownSend(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }
}
