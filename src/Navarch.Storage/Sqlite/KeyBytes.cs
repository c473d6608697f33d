using System.Text;

namespace Navarch.Storage.Sqlite;

/// <summary>UTF-8 key encoding and the byte bounds of prefix ranges.</summary>
internal static class KeyBytes
{
    // No valid UTF-8 byte is 0xFF, so a lone 0xFF sorts after every key.
    private static readonly byte[] AfterEverything = [0xFF];

    public static byte[] Encode(string key) => Encoding.UTF8.GetBytes(key);

    public static string Decode(byte[] name) => Encoding.UTF8.GetString(name);

    /// <summary>The smallest name that is not under the prefix.</summary>
    public static byte[] PrefixEnd(string prefix)
    {
        if (prefix.Length == 0)
        {
            return AfterEverything;
        }

        // The last byte of UTF-8 text is never 0xFF, so incrementing it cannot overflow.
        var end = Encode(prefix);
        end[^1]++;
        return end;
    }

    /// <summary>The smallest name to return: the prefix itself, or just after <paramref name="startAfter"/>.</summary>
    public static byte[] RangeStart(string prefix, string? startAfter)
    {
        var start = Encode(prefix);
        if (startAfter is null)
        {
            return start;
        }

        var after = Successor(startAfter);
        return after.AsSpan().SequenceCompareTo(start) > 0 ? after : start;
    }

    /// <summary>The smallest name greater than <paramref name="key"/>: the key followed by a zero byte.</summary>
    public static byte[] Successor(string key)
    {
        var count = Encoding.UTF8.GetByteCount(key);
        var bytes = new byte[count + 1];
        Encoding.UTF8.GetBytes(key, bytes);
        return bytes;
    }
}
