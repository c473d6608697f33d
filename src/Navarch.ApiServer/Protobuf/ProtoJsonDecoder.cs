using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Protobuf;

/// <summary>
/// Turns Kubernetes' protobuf encoding (the <c>k8s\0</c> magic and a runtime.Unknown envelope around the object's
/// message) into the JSON Kubernetes would have produced for the same object.
/// </summary>
internal sealed class ProtoJsonDecoder
{
    /// <summary>The deepest message nesting we follow; deeper bodies are rejected rather than recursed into.</summary>
    public const int MaxDepth = 64;

    // Go's zero time.Time is 0001-01-01T00:00:00Z; meta/v1 Time renders it as JSON null.
    private const long ZeroTimeSeconds = -62135596800;

    private readonly KubernetesSchema _schema;

    public ProtoJsonDecoder(KubernetesSchema schema)
    {
        _schema = schema;
    }

    public static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>Decodes a whole body: magic, envelope, then the object the envelope names.</summary>
    public DecodedObject DecodeEnvelope(ReadOnlySpan<byte> body, int depth)
    {
        if (!body.StartsWith(Magic))
        {
            throw new ProtobufFormatException("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        }

        string apiVersion = "", kind = "", contentEncoding = "";
        ReadOnlySpan<byte> raw = default;
        var reader = new ProtoReader(body[Magic.Length..]);
        while (!reader.End)
        {
            var (number, wireType) = reader.ReadTag();
            switch (number)
            {
                case 1:
                    Expect(wireType, WireType.LengthDelimited, "runtime.Unknown.typeMeta");
                    (apiVersion, kind) = ReadTypeMeta(reader.ReadLengthDelimited());
                    break;
                case 2:
                    Expect(wireType, WireType.LengthDelimited, "runtime.Unknown.raw");
                    raw = reader.ReadLengthDelimited();
                    break;
                case 3:
                    Expect(wireType, WireType.LengthDelimited, "runtime.Unknown.contentEncoding");
                    contentEncoding = Utf8(reader.ReadLengthDelimited());
                    break;
                default:
                    // contentType (4) is informational; the raw bytes are the object's protobuf message.
                    reader.Skip(number, wireType);
                    break;
            }
        }

        if (contentEncoding.Length > 0)
        {
            throw new ProtobufFormatException($"unsupported protobuf content encoding \"{contentEncoding}\"");
        }

        if (kind.Length == 0)
        {
            throw new ProtobufFormatException("Object 'Kind' is missing in protobuf envelope");
        }

        var message = _schema.FindKind(apiVersion, kind)
            ?? throw new ProtobufFormatException($"no kind \"{kind}\" is registered for version \"{apiVersion}\" in the protobuf decoder");
        var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        DecodeMessage(raw, message, result, depth + 1);
        return new DecodedObject(apiVersion, kind, result);
    }

    private static (string ApiVersion, string Kind) ReadTypeMeta(ReadOnlySpan<byte> data)
    {
        string apiVersion = "", kind = "";
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wireType) = reader.ReadTag();
            if (number is 1 or 2)
            {
                Expect(wireType, WireType.LengthDelimited, number == 1 ? "runtime.TypeMeta.apiVersion" : "runtime.TypeMeta.kind");
                var value = Utf8(reader.ReadLengthDelimited());
                if (number == 1)
                {
                    apiVersion = value;
                }
                else
                {
                    kind = value;
                }
            }
            else
            {
                reader.Skip(number, wireType);
            }
        }

        return (apiVersion, kind);
    }

    /// <summary>Decodes a message's fields into <paramref name="target"/> (which may already hold fields: proto merges).</summary>
    private void DecodeMessage(ReadOnlySpan<byte> data, ProtoMessage message, JsonObject target, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ProtobufFormatException($"protobuf message nesting exceeds the limit of {MaxDepth}");
        }

        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wireType) = reader.ReadTag();
            if (!message.Fields.TryGetValue(number, out var field))
            {
                // Unknown fields are skipped, as proto3 parsers (and kube-apiserver's decoder) do.
                reader.Skip(number, wireType);
                continue;
            }

            switch (field.Cardinality)
            {
                case FieldCardinality.Single:
                    DecodeSingle(ref reader, wireType, message, field, target, depth);
                    break;
                case FieldCardinality.Repeated:
                    DecodeRepeated(ref reader, wireType, message, field, target, depth);
                    break;
                default:
                    Expect(wireType, WireType.LengthDelimited, message, field);
                    DecodeMapEntry(reader.ReadLengthDelimited(), message, field, target, depth);
                    break;
            }
        }
    }

    private void DecodeSingle(ref ProtoReader reader, WireType wireType, ProtoMessage message, ProtoField field, JsonObject target, int depth)
    {
        if (field.Value == ValueKind.Message)
        {
            Expect(wireType, WireType.LengthDelimited, message, field);
            var data = reader.ReadLengthDelimited();
            var child = _schema.Message(field.MessageName!); // the schema guarantees a name for message fields
            if (field.Inline)
            {
                DecodeMessage(data, child, target, depth + 1);
                return;
            }

            if (target[field.JsonName] is not JsonObject existing)
            {
                existing = [];
                target[field.JsonName] = existing;
            }

            DecodeMessage(data, child, existing, depth + 1);
            return;
        }

        var (node, isZero) = ReadValue(ref reader, wireType, field.Value, message, field, depth);
        if (isZero && field.OmitZero)
        {
            target.Remove(field.JsonName);
        }
        else
        {
            target[field.JsonName] = node;
        }
    }

    private void DecodeRepeated(ref ProtoReader reader, WireType wireType, ProtoMessage message, ProtoField field, JsonObject target, int depth)
    {
        if (target[field.JsonName] is not JsonArray array)
        {
            array = [];
            target[field.JsonName] = array;
        }

        if (field.Value == ValueKind.Message)
        {
            Expect(wireType, WireType.LengthDelimited, message, field);
            var element = new JsonObject();
            DecodeMessage(reader.ReadLengthDelimited(), _schema.Message(field.MessageName!), element, depth + 1);
            array.Add(element);
            return;
        }

        if (wireType == WireType.LengthDelimited && IsPackable(field.Value))
        {
            // Packed encoding: one length-delimited run of values. Proto parsers accept it for any repeated number.
            var packed = new ProtoReader(reader.ReadLengthDelimited());
            var elementWireType = field.Value switch
            {
                ValueKind.Double => WireType.Fixed64,
                ValueKind.Float => WireType.Fixed32,
                _ => WireType.Varint,
            };
            while (!packed.End)
            {
                array.Add(ReadValue(ref packed, elementWireType, field.Value, message, field, depth).Node);
            }

            return;
        }

        array.Add(ReadValue(ref reader, wireType, field.Value, message, field, depth).Node);
    }

    private void DecodeMapEntry(ReadOnlySpan<byte> data, ProtoMessage message, ProtoField field, JsonObject target, int depth)
    {
        if (target[field.JsonName] is not JsonObject map)
        {
            map = [];
            target[field.JsonName] = map;
        }

        string key = "";
        JsonNode? value = null;
        var hasValue = false;
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wireType) = reader.ReadTag();
            if (number == 1)
            {
                var keyNode = ReadValue(ref reader, wireType, field.MapKey, message, field, depth).Node;
                key = keyNode is null ? "" : keyNode.GetValueKind() == JsonValueKind.String ? keyNode.GetValue<string>() : keyNode.ToJsonString();
            }
            else if (number == 2)
            {
                hasValue = true;
                if (field.Value == ValueKind.Message)
                {
                    Expect(wireType, WireType.LengthDelimited, message, field);
                    var element = new JsonObject();
                    DecodeMessage(reader.ReadLengthDelimited(), _schema.Message(field.MessageName!), element, depth + 1);
                    value = element;
                }
                else
                {
                    value = ReadValue(ref reader, wireType, field.Value, message, field, depth).Node;
                }
            }
            else
            {
                reader.Skip(number, wireType);
            }
        }

        // A missing value is the zero value of the value type, as in Go.
        map[key] = hasValue ? value : ZeroValue(field);
    }

    private JsonNode? ZeroValue(ProtoField field) => field.Value switch
    {
        ValueKind.Message => new JsonObject(),
        ValueKind.Quantity => "0",
        ValueKind.IntOrString => 0,
        ValueKind.Bool => false,
        ValueKind.String or ValueKind.Bytes => "",
        ValueKind.Time or ValueKind.MicroTime or ValueKind.FieldsV1 or ValueKind.RawExtension => null,
        _ => 0,
    };

    private (JsonNode? Node, bool IsZero) ReadValue(ref ProtoReader reader, WireType wireType, ValueKind kind, ProtoMessage message, ProtoField field, int depth)
    {
        switch (kind)
        {
            case ValueKind.String:
            {
                Expect(wireType, WireType.LengthDelimited, message, field);
                var text = Utf8(reader.ReadLengthDelimited());
                return (JsonValue.Create(text), text.Length == 0);
            }

            case ValueKind.Bytes:
            {
                // []byte is base64 in Kubernetes' JSON (Secret.data, ConfigMap.binaryData).
                Expect(wireType, WireType.LengthDelimited, message, field);
                var bytes = reader.ReadLengthDelimited();
                return (JsonValue.Create(Convert.ToBase64String(bytes)), bytes.IsEmpty);
            }

            case ValueKind.Bool:
            {
                Expect(wireType, WireType.Varint, message, field);
                var value = reader.ReadVarint() != 0;
                return (JsonValue.Create(value), !value);
            }

            case ValueKind.Int32:
            {
                // Negative int32 values are sign-extended to 64 bits on the wire; the low 32 bits are the value.
                Expect(wireType, WireType.Varint, message, field);
                var value = unchecked((int)reader.ReadVarint());
                return (JsonValue.Create(value), value == 0);
            }

            case ValueKind.Int64:
            {
                Expect(wireType, WireType.Varint, message, field);
                var value = unchecked((long)reader.ReadVarint());
                return (JsonValue.Create(value), value == 0);
            }

            case ValueKind.UInt32:
            {
                Expect(wireType, WireType.Varint, message, field);
                var value = unchecked((uint)reader.ReadVarint());
                return (JsonValue.Create(value), value == 0);
            }

            case ValueKind.UInt64:
            {
                Expect(wireType, WireType.Varint, message, field);
                var value = reader.ReadVarint();
                return (JsonValue.Create(value), value == 0);
            }

            case ValueKind.Double:
            {
                Expect(wireType, WireType.Fixed64, message, field);
                return FiniteNumber(BitConverter.UInt64BitsToDouble(reader.ReadFixed64()), message, field);
            }

            case ValueKind.Float:
            {
                Expect(wireType, WireType.Fixed32, message, field);
                return FiniteNumber(BitConverter.UInt32BitsToSingle(reader.ReadFixed32()), message, field);
            }

            default:
                Expect(wireType, WireType.LengthDelimited, message, field);
                return ReadWellKnown(reader.ReadLengthDelimited(), kind, depth);
        }
    }

    private (JsonNode? Node, bool IsZero) ReadWellKnown(ReadOnlySpan<byte> data, ValueKind kind, int depth)
    {
        if (depth + 1 > MaxDepth)
        {
            throw new ProtobufFormatException($"protobuf message nesting exceeds the limit of {MaxDepth}");
        }

        long seconds = 0, intOrStringType = 0;
        int nanos = 0, intVal = 0;
        string text = "";
        ReadOnlySpan<byte> raw = default;
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wireType) = reader.ReadTag();
            switch (kind, number)
            {
                case (ValueKind.Time or ValueKind.MicroTime, 1):
                    Expect(wireType, WireType.Varint, "meta.v1.Time.seconds");
                    seconds = unchecked((long)reader.ReadVarint());
                    break;
                case (ValueKind.Time or ValueKind.MicroTime, 2):
                    Expect(wireType, WireType.Varint, "meta.v1.Time.nanos");
                    nanos = unchecked((int)reader.ReadVarint());
                    break;
                case (ValueKind.Quantity, 1):
                    Expect(wireType, WireType.LengthDelimited, "resource.Quantity.string");
                    text = Utf8(reader.ReadLengthDelimited());
                    break;
                case (ValueKind.IntOrString, 1):
                    Expect(wireType, WireType.Varint, "intstr.IntOrString.type");
                    intOrStringType = unchecked((long)reader.ReadVarint());
                    break;
                case (ValueKind.IntOrString, 2):
                    Expect(wireType, WireType.Varint, "intstr.IntOrString.intVal");
                    intVal = unchecked((int)reader.ReadVarint());
                    break;
                case (ValueKind.IntOrString, 3):
                    Expect(wireType, WireType.LengthDelimited, "intstr.IntOrString.strVal");
                    text = Utf8(reader.ReadLengthDelimited());
                    break;
                case (ValueKind.FieldsV1 or ValueKind.RawExtension, 1):
                    Expect(wireType, WireType.LengthDelimited, kind == ValueKind.FieldsV1 ? "meta.v1.FieldsV1.Raw" : "runtime.RawExtension.raw");
                    raw = reader.ReadLengthDelimited();
                    break;
                default:
                    reader.Skip(number, wireType);
                    break;
            }
        }

        return kind switch
        {
            ValueKind.Time or ValueKind.MicroTime => (FormatTime(seconds, nanos, kind == ValueKind.MicroTime, data.IsEmpty), false),
            // A zero Quantity renders as "0" in Kubernetes' JSON.
            ValueKind.Quantity => (JsonValue.Create(text.Length == 0 ? "0" : text), false),
            ValueKind.IntOrString => (intOrStringType == 1 ? JsonValue.Create(text) : JsonValue.Create(intVal), false),
            ValueKind.FieldsV1 => (raw.IsEmpty ? null : ParseEmbeddedJson(raw, "fieldsV1"), false),
            _ => (raw.IsEmpty ? null : raw.StartsWith(Magic) ? DecodeEnvelope(raw, depth + 1).Object : ParseEmbeddedJson(raw, "raw extension"), false),
        };
    }

    private static JsonNode? FormatTime(long seconds, int nanos, bool micro, bool empty)
    {
        // meta/v1 Time marshals a zero time as an empty message, and Go's zero time.Time as its own seconds.
        if (empty || (seconds == ZeroTimeSeconds && nanos == 0))
        {
            return null;
        }

        DateTimeOffset time;
        try
        {
            // time.Unix normalizes nanos outside [0, 1e9) into the seconds; so do we.
            time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100L);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ProtobufFormatException($"protobuf time {seconds}s {nanos}ns is outside the years 1 to 9999", e);
        }

        // As meta/v1 Time and MicroTime marshal to JSON: RFC 3339 in UTC, to the second or to the microsecond.
        return JsonValue.Create(time.UtcDateTime.ToString(micro ? "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }

    private static JsonNode? ParseEmbeddedJson(ReadOnlySpan<byte> raw, string what)
    {
        try
        {
            var reader = new Utf8JsonReader(raw, new JsonReaderOptions { MaxDepth = MaxDepth });
            return JsonNode.Parse(ref reader);
        }
        catch (JsonException e)
        {
            throw new ProtobufFormatException($"{what} in protobuf body is not valid JSON: {e.Message}", e);
        }
    }

    private static (JsonNode? Node, bool IsZero) FiniteNumber(double value, ProtoMessage message, ProtoField field)
    {
        if (!double.IsFinite(value))
        {
            throw new ProtobufFormatException($"proto: field {message.Name}.{field.JsonName} is not a finite number");
        }

        return (JsonValue.Create(value), value == 0);
    }

    private static bool IsPackable(ValueKind kind) =>
        kind is ValueKind.Bool or ValueKind.Int32 or ValueKind.Int64 or ValueKind.UInt32 or ValueKind.UInt64 or ValueKind.Double or ValueKind.Float;

    private static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private static void Expect(WireType actual, WireType expected, ProtoMessage message, ProtoField field)
    {
        if (actual != expected)
        {
            throw WrongWireType($"{message.Name}.{field.JsonName} ({field.Number})", actual, expected);
        }
    }

    private static void Expect(WireType actual, WireType expected, string what)
    {
        if (actual != expected)
        {
            throw WrongWireType(what, actual, expected);
        }
    }

    private static ProtobufFormatException WrongWireType(string what, WireType actual, WireType expected) =>
        new($"proto: field {what} has wire type {(int)actual}, expected {(int)expected}");
}
