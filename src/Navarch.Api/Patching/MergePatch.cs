using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>
/// RFC 7386 JSON Merge Patch (<c>application/merge-patch+json</c>): objects merge member by member, null
/// deletes a member, anything else (arrays included) replaces. Inputs are never modified.
/// </summary>
public static class MergePatch
{
    /// <summary>Applies <paramref name="patch"/> to a copy of <paramref name="original"/>.</summary>
    /// <exception cref="PatchException">
    /// The patch is null or a scalar: kube-apiserver only accepts an object or array, and answers
    /// "Invalid JSON Patch" (evanphx/json-patch's errBadJSONPatch) otherwise.
    /// </exception>
    public static JsonNode Apply(JsonNode? original, JsonNode? patch)
    {
        if (patch is not (JsonObject or JsonArray))
        {
            throw new PatchException(PatchErrorKind.BadRequest, "Invalid JSON Patch");
        }

        // Clone once, then merge in place; never null since the patch is an object or array.
        return MergeInto(original?.DeepClone(), patch)!;
    }

    private static JsonNode? MergeInto(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            result.TryGetPropertyValue(key, out var existing);
            var merged = MergeInto(existing, value);
            if (!ReferenceEquals(merged, existing))
            {
                result[key] = merged;
            }
        }

        return result;
    }
}
