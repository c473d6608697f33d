using System.Text;

namespace Navarch.ApiServer.Tests.Protobuf;

/// <summary>A minimal protobuf encoder for building test bodies field by field, as Go's generated marshalers do.</summary>
internal sealed class ProtoWriter
{
    private readonly List<byte> _bytes = [];

    public ProtoWriter Varint(int field, long value)
    {
        Tag(field, 0);
        WriteVarint(unchecked((ulong)value));
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, byte[] value)
    {
        Tag(field, 2);
        WriteVarint((ulong)value.Length);
        _bytes.AddRange(value);
        return this;
    }

    public ProtoWriter Message(int field, Action<ProtoWriter> build)
    {
        var inner = new ProtoWriter();
        build(inner);
        return Bytes(field, inner.ToArray());
    }

    /// <summary>A map entry {key = 1, value = 2} with a string value.</summary>
    public ProtoWriter Entry(int field, string key, string value) => Message(field, e => e.String(1, key).String(2, value));

    /// <summary>A map entry with a bytes value.</summary>
    public ProtoWriter Entry(int field, string key, byte[] value) => Message(field, e => e.String(1, key).Bytes(2, value));

    public ProtoWriter Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    /// <summary>The whole body: the k8s magic and a runtime.Unknown carrying the object.</summary>
    public static byte[] Envelope(string apiVersion, string kind, ProtoWriter obj)
    {
        var unknown = new ProtoWriter()
            .Message(1, t => t.String(1, apiVersion).String(2, kind))
            .Bytes(2, obj.ToArray())
            .String(3, "")
            .String(4, "");
        return [.. "k8s\0"u8.ToArray(), .. unknown.ToArray()];
    }

    /// <summary>ObjectMeta as Go's marshaler writes it: every non-pointer field, zero or not.</summary>
    public static Action<ProtoWriter> Meta(string name, string ns = "", Action<ProtoWriter>? extra = null) => m =>
    {
        m.String(1, name).String(2, "").String(3, ns).String(4, "").String(5, "").String(6, "").Varint(7, 0)
            .Message(8, t => { });
        extra?.Invoke(m);
    };

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        _bytes.Add((byte)value);
    }
}
