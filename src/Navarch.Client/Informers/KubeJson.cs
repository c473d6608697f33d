using System.Text.Json;
using k8s;

namespace Navarch.Client.Informers;

/// <summary>
/// KubernetesClient's own serializer options (its converters for quantities, int-or-string and timestamps), so watch
/// frames can be deserialized straight from UTF-8 bytes with a <see cref="Utf8JsonReader"/> instead of via strings.
/// </summary>
internal static class KubeJson
{
    /// <summary>The options <see cref="KubernetesJson"/> uses; read-only once used, so sharing them is safe.</summary>
    public static readonly JsonSerializerOptions Options = Capture();

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(options => captured = options);
        return captured ?? throw new InvalidOperationException("KubernetesJson did not expose its serializer options.");
    }
}
