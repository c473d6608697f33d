namespace Navarch.ApiServer.Protobuf;

/// <summary>One field of a Kubernetes protobuf message.</summary>
/// <param name="Number">The protobuf field number.</param>
/// <param name="JsonName">The JSON property name (unused when <paramref name="Inline"/>).</param>
/// <param name="Cardinality">Single value, list, or map.</param>
/// <param name="Value">The kind of the value (for maps, of the entry's value).</param>
/// <param name="MessageName">The message of the value when <paramref name="Value"/> is <see cref="ValueKind.Message"/>.</param>
/// <param name="MapKey">The kind of a map's key.</param>
/// <param name="Inline">The Go field is embedded with json:",inline", so the message's fields belong to the parent object.</param>
/// <param name="OmitZero">
/// The Go field is a non-pointer with omitempty, so Kubernetes' JSON leaves out its zero value; the protobuf encoder
/// still writes it, and we drop it so the JSON matches what the same client would have sent as JSON.
/// </param>
internal sealed record ProtoField(
    int Number,
    string JsonName,
    FieldCardinality Cardinality,
    ValueKind Value,
    string? MessageName,
    ValueKind MapKey,
    bool Inline,
    bool OmitZero);
