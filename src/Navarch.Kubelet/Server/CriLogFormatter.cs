using System.Buffers;
using System.Globalization;
using System.Text;

namespace Navarch.Kubelet.Server;

/// <summary>
/// Turns CRI log entries (<c>&lt;RFC3339Nano&gt; &lt;stdout|stderr&gt; &lt;P|F&gt; &lt;text&gt;</c>, one per line) into what
/// <c>kubectl logs</c> prints: partial entries (<c>P</c>) are joined with the entries that follow up to the full one
/// (<c>F</c>); with timestamps each printed line starts with its first entry's time, as the kubelet writes it.
/// </summary>
internal sealed class CriLogFormatter(ContainerLogOptions options)
{
    private bool _atLineStart = true;
    private bool _skippingLine;
    private long _written;

    /// <summary>True once <see cref="ContainerLogOptions.LimitBytes"/> have been written; nothing more is.</summary>
    public bool LimitReached => options.LimitBytes is { } limit && _written >= limit;

    /// <summary>Formats one entry, without its trailing newline; entries that do not parse are skipped.</summary>
    public void Write(ReadOnlySpan<byte> entry, IBufferWriter<byte> output)
    {
        if (LimitReached) return;
        var first = entry.IndexOf((byte)' ');
        if (first <= 0) return;
        var timestamp = entry[..first];
        var rest = entry[(first + 1)..];
        var second = rest.IndexOf((byte)' ');
        if (second <= 0) return;
        rest = rest[(second + 1)..];
        var third = rest.IndexOf((byte)' ');
        var tag = third < 0 ? rest : rest[..third];
        var content = third < 0 ? [] : rest[(third + 1)..];
        // The tag may carry more fields after ':'; the first says partial or full.
        var partial = tag.Length > 0 && tag[0] == (byte)'P';

        if (_atLineStart)
        {
            _skippingLine = options.Since is { } since && Parse(timestamp) is { } time && time < since;
            if (!_skippingLine && options.Timestamps)
            {
                Emit(timestamp, output);
                Emit(" "u8, output);
            }
        }

        if (!_skippingLine)
        {
            Emit(content, output);
            if (!partial) Emit("\n"u8, output);
        }

        _atLineStart = !partial;
    }

    private void Emit(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        if (options.LimitBytes is { } limit)
        {
            var room = limit - _written;
            if (room <= 0) return;
            if (bytes.Length > room) bytes = bytes[..(int)room];
        }

        output.Write(bytes);
        _written += bytes.Length;
    }

    /// <summary>RFC 3339 with up to nine fraction digits; .NET parses seven, which is finer than anything compared here.</summary>
    internal static DateTimeOffset? Parse(ReadOnlySpan<byte> timestamp)
    {
        Span<char> text = stackalloc char[Math.Min(timestamp.Length, 64)];
        var length = Encoding.ASCII.GetChars(timestamp[..text.Length], text);
        text = text[..length];
        var dot = text.IndexOf('.');
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7)
            {
                var trimmed = string.Concat(text[..(dot + 8)], text[end..]);
                return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
    }
}
