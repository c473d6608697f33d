using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;

namespace Navarch.ApiServer.Serialization;

/// <summary>
/// JSON for API objects: the KubernetesClient models' own serializer settings (RFC 3339 times, quantities,
/// int-or-string), shared by every request so wire output matches what the client library reads.
/// </summary>
public static class ApiJson
{
    /// <summary>KubernetesClient's serializer options; read once at start because the library keeps them private.</summary>
    public static readonly JsonSerializerOptions Options = LoadOptions();

    private static JsonSerializerOptions LoadOptions()
    {
        var field = typeof(KubernetesJson).GetField("JsonSerializerOptions", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);
        var source = field?.GetValue(null) as JsonSerializerOptions
            ?? throw new InvalidOperationException("KubernetesClient's JSON options were not found; the package layout changed.");
        var options = new JsonSerializerOptions(source);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static byte[] SerializeToUtf8Bytes(object value) => JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Options);

    public static JsonNode? SerializeToNode(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), Options);

    public static object? Deserialize(ReadOnlySpan<byte> utf8, Type type) => JsonSerializer.Deserialize(utf8, type, Options);

    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8) => (T?)JsonSerializer.Deserialize(utf8, typeof(T), Options);

    public static object? Deserialize(JsonNode node, Type type) => node.Deserialize(type, Options);

    public static void Serialize(Utf8JsonWriter writer, object value) => JsonSerializer.Serialize(writer, value, value.GetType(), Options);
}
