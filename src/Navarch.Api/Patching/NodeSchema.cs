namespace Navarch.Api.Patching;

/// <summary>
/// The model type a JSON object is an instance of: a model class whose fields have metadata, or (when
/// <paramref name="IsMap"/>) a map whose every value is of <paramref name="Type"/>. A null type means
/// free-form JSON without metadata.
/// </summary>
internal readonly record struct NodeSchema(Type? Type, bool IsMap)
{
    public static NodeSchema None => default;
}
