using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>
/// Kubernetes strategic merge patch (<c>application/strategic-merge-patch+json</c>) on <see cref="JsonNode"/>,
/// with the semantics of k8s.io/apimachinery/pkg/util/strategicpatch as kube-apiserver applies it:
/// maps merge recursively, lists with a merge strategy merge by merge key (or as sets of primitives),
/// other lists are replaced, null deletes, and the directives <c>$patch</c> (replace/delete, and
/// delete/replace in list items), <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/&lt;field&gt;</c> and
/// <c>$setElementOrder/&lt;field&gt;</c> are honoured and never left in the result. The inputs are not modified.
/// </summary>
public static class StrategicMergePatch
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="original"/>, an object of <paramref name="modelType"/> (e.g. <c>typeof(V1Pod)</c>).</summary>
    /// <exception cref="PatchException">The patch is malformed or misuses a directive (400).</exception>
    public static JsonNode Apply(JsonNode original, JsonNode patch, Type modelType) =>
        Apply(original, patch, modelType, PatchMetadata.Default);

    /// <summary>Applies the patch with the given metadata.</summary>
    /// <exception cref="PatchException">The patch is malformed or misuses a directive (400).</exception>
    public static JsonNode Apply(JsonNode original, JsonNode patch, Type modelType, PatchMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(modelType);
        ArgumentNullException.ThrowIfNull(metadata);
        if (original is not JsonObject originalObject)
        {
            // mergepatch.ErrBadJSONDoc
            throw new PatchException(PatchErrorKind.BadRequest, "invalid JSON document");
        }

        if (patch is not JsonObject patchObject)
        {
            var kind = patch is JsonArray ? "array" : patch.GetValueKind().ToString().ToLowerInvariant();
            throw new PatchException(PatchErrorKind.BadRequest, $"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}");
        }

        var merger = new StrategicMerger(metadata);
        return merger.MergeMap((JsonObject)originalObject.DeepClone(), patchObject, new NodeSchema(modelType, IsMap: false));
    }
}
