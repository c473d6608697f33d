namespace Navarch.ApiServer.Protobuf;

/// <summary>Whether a field holds one value, a list, or a map (a repeated key/value entry message).</summary>
internal enum FieldCardinality
{
    Single,
    Repeated,
    Map,
}
