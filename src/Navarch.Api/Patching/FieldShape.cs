namespace Navarch.Api.Patching;

/// <summary>How a field of a model type is shaped in JSON.</summary>
public enum FieldShape
{
    /// <summary>A string, number, boolean, or a type serialized as one (quantities, int-or-string, times).</summary>
    Scalar,

    /// <summary>A nested model type with named fields.</summary>
    Object,

    /// <summary>A JSON array.</summary>
    List,

    /// <summary>A JSON object with arbitrary string keys (labels, data, resource lists).</summary>
    Map,
}
