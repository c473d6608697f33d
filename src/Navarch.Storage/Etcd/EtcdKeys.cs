using System.Text;
using Google.Protobuf;

namespace Navarch.Storage.Etcd;

/// <summary>Key encoding for etcd's byte-ordered key space.</summary>
internal static class EtcdKeys
{
    /// <summary>
    /// The single zero byte: as a key it is the smallest non-empty key (etcd rejects an empty key), and as a
    /// range end it means "every key from the start key on", as etcd's clientv3 uses it.
    /// </summary>
    public static readonly ByteString Zero = UnsafeByteOperations.UnsafeWrap(new byte[] { 0 });

    public static ByteString Encode(string key) => ByteString.CopyFromUtf8(key);

    public static string Decode(ByteString key) => Encoding.UTF8.GetString(key.Span);

    /// <summary>The first key of a prefix range; the empty prefix starts at the smallest key.</summary>
    public static ByteString PrefixStart(string prefix) => prefix.Length == 0 ? Zero : Encode(prefix);

    /// <summary>
    /// The end (exclusive) of the range of keys starting with <paramref name="prefix"/>, computed as etcd's
    /// clientv3.GetPrefixRangeEnd does: increment the last byte that is not 0xff and drop what follows; a
    /// prefix of only 0xff bytes (or the empty prefix) has no upper bound, which etcd spells "\0".
    /// </summary>
    public static ByteString PrefixEnd(string prefix)
    {
        var bytes = Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return UnsafeByteOperations.UnsafeWrap(bytes.AsMemory(0, i + 1));
            }
        }

        return Zero;
    }

    /// <summary>The smallest key strictly greater than <paramref name="key"/>: the key followed by a zero byte.</summary>
    public static ByteString Successor(string key)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(key) + 1];
        Encoding.UTF8.GetBytes(key, bytes);
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    /// <summary>The larger of two keys in etcd's (unsigned byte-wise) order.</summary>
    public static ByteString Max(ByteString a, ByteString b) => a.Span.SequenceCompareTo(b.Span) >= 0 ? a : b;
}
