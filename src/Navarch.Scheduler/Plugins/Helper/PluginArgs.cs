using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Navarch.Scheduler.Plugins.Helper;

/// <summary>
/// Decodes a plugin's <c>pluginConfig[].args</c> object strictly (unknown fields are errors, as kube-scheduler's
/// strict decoding), after dropping the optional <c>apiVersion</c>/<c>kind</c> header.
/// </summary>
internal static class PluginArgs
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The args as <typeparamref name="T"/>, or null when none were given; throws ArgumentException when malformed.</summary>
    public static T? Decode<T>(JsonElement? args, string pluginName)
        where T : class
    {
        if (args is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"{pluginName} args must be an object, got {element.ValueKind}", nameof(args));
        }

        var node = JsonObject.Create(element) ?? new JsonObject();
        var expectedKind = pluginName + "Args";
        if (node["kind"] is JsonValue kind && kind.TryGetValue<string>(out var kindName) && kindName != expectedKind)
        {
            throw new ArgumentException($"want args to be of type {expectedKind}, got {kindName}", nameof(args));
        }

        node.Remove("kind");
        node.Remove("apiVersion");
        try
        {
            return node.Deserialize<T>(Options);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"decoding {expectedKind}: {e.Message}", nameof(args), e);
        }
    }
}
