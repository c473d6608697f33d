using System.Text.Json.Nodes;
using Navarch.Api.Patching;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.Handlers;

/// <summary>Applies a JSON, merge or strategic merge patch by its media type; patch errors become 400.</summary>
public static class PatchApplier
{
    public static JsonNode Apply(string mediaType, JsonNode current, JsonNode patch, Type modelType)
    {
        try
        {
            return mediaType switch
            {
                "application/json-patch+json" => JsonPatch.Apply(current, patch),
                "application/merge-patch+json" => MergePatch.Apply(current, patch) ?? throw ApiException.BadRequest("the patch removed the whole object"),
                "application/strategic-merge-patch+json" => StrategicMergePatch.Apply(current, patch, modelType),
                _ => throw ApiException.UnsupportedMediaType(mediaType),
            };
        }
        catch (PatchException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }
}
