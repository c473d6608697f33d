using System.Globalization;
using System.Text;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// A raw HTTP/1.1 connection to a kubelet: writes one request head, reads the response head, then either the body
/// (a refused upgrade) or nothing more (the connection now carries the upgraded protocol). Bytes read past the head are
/// kept for whoever takes over the stream.
/// </summary>
internal sealed class BackendConnection(Stream stream) : IAsyncDisposable
{
    /// <summary>Larger response heads are refused; kubelets send a few hundred bytes.</summary>
    public const int MaxHeadBytes = 64 * 1024;

    /// <summary>Bodies of refused upgrades are relayed up to this size (they are short Status documents).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    public Stream Stream => stream;

    /// <summary>Bytes already read from the kubelet but not yet consumed.</summary>
    public ReadOnlyMemory<byte> Buffered => _buffer.AsMemory(_start, _end - _start);

    public async Task WriteHeadAsync(string method, string pathAndQuery, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(pathAndQuery).Append(" HTTP/1.1\r\n");
        foreach (var (name, value) in headers)
        {
            // A header value may not carry a line break into the backend's request.
            if (value.AsSpan().IndexOfAny('\r', '\n') >= 0 || name.AsSpan().IndexOfAny("\r\n: ") >= 0)
            {
                continue;
            }

            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <exception cref="InvalidDataException">The kubelet closed the connection or sent something that is not HTTP/1.x.</exception>
    public async Task<BackendResponseHead> ReadHeadAsync(CancellationToken cancellationToken)
    {
        int headEnd;
        while ((headEnd = Buffered.Span.IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_end - _start >= MaxHeadBytes)
            {
                throw new InvalidDataException("the kubelet's response head is too large");
            }

            if (await FillAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new InvalidDataException("the kubelet closed the connection before responding");
            }
        }

        var text = Encoding.Latin1.GetString(Buffered.Span[..headEnd]);
        _start += headEnd + 4;
        var lines = text.Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new InvalidDataException($"malformed HTTP response \"{lines[0]}\"");
        }

        var headers = new List<KeyValuePair<string, string>>(lines.Length - 1);
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return new BackendResponseHead(code, status.Length > 2 ? status[2] : "", headers);
    }

    /// <summary>Reads the body that follows <paramref name="head"/> (Content-Length, chunked, or up to EOF).</summary>
    public async Task<byte[]> ReadBodyAsync(BackendResponseHead head, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.StatusCode is 204 or 304 || head.StatusCode < 200)
        {
            return [];
        }

        if (head.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            return await ReadChunkedAsync(cancellationToken).ConfigureAwait(false);
        }

        if (head.Header("Content-Length") is { } lengthText
            && long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            if (length > MaxBodyBytes)
            {
                throw new InvalidDataException("the kubelet's error response is too large");
            }

            return await ReadExactlyAsync((int)length, cancellationToken).ConfigureAwait(false);
        }

        using var body = new MemoryStream();
        while (true)
        {
            if (_end > _start)
            {
                body.Write(Buffered.Span);
                _start = _end;
            }

            if (body.Length > MaxBodyBytes)
            {
                throw new InvalidDataException("the kubelet's error response is too large");
            }

            if (await FillAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return body.ToArray();
            }
        }
    }

    private async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var semicolon = sizeLine.IndexOf(';', StringComparison.Ordinal);
            var sizeText = (semicolon >= 0 ? sizeLine[..semicolon] : sizeLine).Trim();
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                throw new InvalidDataException($"malformed chunk size \"{sizeLine}\"");
            }

            if (size == 0)
            {
                // Trailers, if any, end with an empty line.
                while ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length > 0)
                {
                }

                return body.ToArray();
            }

            if (body.Length + size > MaxBodyBytes)
            {
                throw new InvalidDataException("the kubelet's error response is too large");
            }

            body.Write(await ReadExactlyAsync(size, cancellationToken).ConfigureAwait(false));
            await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        int newline;
        while ((newline = Buffered.Span.IndexOf("\r\n"u8)) < 0)
        {
            if (_end - _start > MaxHeadBytes || await FillAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new InvalidDataException("the kubelet's response ended early");
            }
        }

        var line = Encoding.Latin1.GetString(Buffered.Span[..newline]);
        _start += newline + 2;
        return line;
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (_end == _start && await FillAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new InvalidDataException("the kubelet's response ended early");
            }

            var take = Math.Min(count - copied, _end - _start);
            Buffered.Span[..take].CopyTo(result.AsSpan(copied));
            _start += take;
            copied += take;
        }

        return result;
    }

    private async Task<int> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read;
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
