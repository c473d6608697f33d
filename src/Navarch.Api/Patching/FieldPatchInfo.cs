namespace Navarch.Api.Patching;

/// <summary>
/// What strategic merge patch (and the OpenAPI document) needs to know about one field of a model type.
/// </summary>
/// <param name="JsonName">The field's JSON name.</param>
/// <param name="PropertyType">The CLR property type.</param>
/// <param name="Shape">Its JSON shape.</param>
/// <param name="ElementType">For lists the element type, for maps the value type, for objects the (non-nullable) type itself.</param>
/// <param name="Strategy">The patch strategy.</param>
/// <param name="MergeKey">For lists of objects merged by key, the key field (<c>patchMergeKey</c>).</param>
public sealed record FieldPatchInfo(
    string JsonName,
    Type PropertyType,
    FieldShape Shape,
    Type? ElementType,
    PatchStrategy Strategy,
    string? MergeKey)
{
    /// <summary>
    /// The value of <c>x-kubernetes-patch-strategy</c> as Kubernetes' OpenAPI spells it
    /// (<c>merge</c>, <c>retainKeys</c>, <c>merge,retainKeys</c>, <c>replace</c>), or null when there is none.
    /// </summary>
    public string? StrategyExtension => Strategy switch
    {
        PatchStrategy.None => null,
        PatchStrategy.Merge => "merge",
        PatchStrategy.RetainKeys => "retainKeys",
        PatchStrategy.Merge | PatchStrategy.RetainKeys => "merge,retainKeys",
        PatchStrategy.Replace => "replace",
        _ => Strategy.ToString(),
    };
}
