using System.Buffers.Binary;

namespace Navarch.ApiServer.Protobuf;

/// <summary>
/// Reads the protobuf wire format from a span. Every read checks bounds and throws
/// <see cref="ProtobufFormatException"/> on malformed input, so a hostile body can neither hang the reader nor make it
/// read past its buffer.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly bool End => _position >= _buffer.Length;

    /// <summary>Reads a field tag; returns the field number and wire type.</summary>
    public (int Number, WireType WireType) ReadTag()
    {
        var tag = ReadVarint();
        var number = tag >> 3;
        if (number is 0 or > 536_870_911)
        {
            throw new ProtobufFormatException($"proto: illegal field number {number}");
        }

        var wireType = (WireType)(tag & 7);
        if ((int)wireType > 5)
        {
            throw new ProtobufFormatException($"proto: illegal wire type {(int)wireType} for field {number}");
        }

        return ((int)number, wireType);
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _buffer.Length)
            {
                throw new ProtobufFormatException("proto: unexpected end of data in varint");
            }

            var b = _buffer[_position++];
            // The tenth byte may only carry the top bit of a 64-bit value.
            if (shift == 63 && b > 1)
            {
                throw new ProtobufFormatException("proto: integer overflow in varint");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new ProtobufFormatException("proto: integer overflow in varint");
    }

    public ulong ReadFixed64()
    {
        if (_buffer.Length - _position < 8)
        {
            throw new ProtobufFormatException("proto: unexpected end of data in fixed64");
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Slice(_position, 8));
        _position += 8;
        return value;
    }

    public uint ReadFixed32()
    {
        if (_buffer.Length - _position < 4)
        {
            throw new ProtobufFormatException("proto: unexpected end of data in fixed32");
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Slice(_position, 4));
        _position += 4;
        return value;
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_buffer.Length - _position))
        {
            throw new ProtobufFormatException($"proto: length {length} runs past the end of the data");
        }

        var slice = _buffer.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>Skips a field we have no schema for, as proto3 parsers do with unknown fields.</summary>
    public void Skip(int number, WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                ReadFixed64();
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed32:
                ReadFixed32();
                break;
            default:
                // Groups are deprecated and never produced by Kubernetes' generated code.
                throw new ProtobufFormatException($"proto: unsupported wire type {(int)wireType} (group) for field {number}");
        }
    }
}
