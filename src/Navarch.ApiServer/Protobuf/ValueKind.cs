namespace Navarch.ApiServer.Protobuf;

/// <summary>
/// How a field's value is encoded on the wire and rendered as JSON. Besides protobuf scalars and plain messages, a few
/// apimachinery messages have their own JSON form (a string or a number, not an object) and get their own kind.
/// </summary>
internal enum ValueKind
{
    String,
    Bytes,
    Bool,
    Int32,
    Int64,
    UInt32,
    UInt64,
    Double,
    Float,
    Message,

    /// <summary>meta/v1 Time {seconds, nanos}: an RFC 3339 string to the second, null when zero.</summary>
    Time,

    /// <summary>meta/v1 MicroTime {seconds, nanos}: an RFC 3339 string with microseconds, null when zero.</summary>
    MicroTime,

    /// <summary>resource.Quantity {string}: the quantity's string.</summary>
    Quantity,

    /// <summary>intstr.IntOrString {type, intVal, strVal}: a JSON number or string.</summary>
    IntOrString,

    /// <summary>meta/v1 FieldsV1 {Raw}: the raw bytes are JSON and are embedded as such.</summary>
    FieldsV1,

    /// <summary>runtime.RawExtension {raw}: an embedded object, JSON or a nested protobuf envelope.</summary>
    RawExtension,
}
