using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// The <c>pod-template-hash</c> of a Deployment's template and template equality ignoring that label, as
/// Kubernetes' controller.ComputeHash and deploymentutil.EqualIgnoreHash. The hash is FNV-32a over a canonical
/// JSON form of the template (object keys sorted, nulls and empty lists dropped) plus the collision count, so it
/// is stable across restarts and independent of map ordering; it is encoded with rand.SafeEncodeString's alphabet.
/// </summary>
internal static class PodTemplateHash
{
    /// <summary>The label a Deployment adds to its ReplicaSets' selectors, templates and pods (DefaultDeploymentUniqueLabelKey).</summary>
    public const string LabelKey = "pod-template-hash";

    // rand.SafeEncodeString's alphabet: no vowels (no bad words) and no 0, 1, 3 (look like o, l, e).
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    // Maps whose empty and absent forms mean the same (Go's semantic DeepEqual treats nil and empty maps alike).
    private static readonly HashSet<string> StringMaps = new(StringComparer.Ordinal) { "labels", "annotations", "nodeSelector", "limits", "requests" };

    public static string Compute(V1PodTemplateSpec template, int? collisionCount)
    {
        var bytes = Encoding.UTF8.GetBytes(Canonical(template));
        var hash = Fnv32a(2166136261u, bytes);
        if (collisionCount is { } count)
        {
            // As upstream: the count as 4 little-endian bytes in an 8-byte buffer, all 8 hashed.
            Span<byte> countBytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(countBytes, unchecked((uint)count));
            hash = Fnv32a(hash, countBytes);
        }

        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>True when the templates are equal once the pod-template-hash label is removed from both.</summary>
    public static bool EqualIgnoreHash(V1PodTemplateSpec? a, V1PodTemplateSpec? b) =>
        string.Equals(CanonicalIgnoreHash(a), CanonicalIgnoreHash(b), StringComparison.Ordinal);

    /// <summary>The canonical JSON of a template: sorted keys, no nulls, no empty lists, no empty string maps.</summary>
    public static string Canonical(V1PodTemplateSpec? template)
    {
        var node = template is null ? null : JsonNode.Parse(KubernetesJson.Serialize(template));
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            if (node is null) writer.WriteNullValue();
            else Write(writer, node);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static string SafeEncode(string value)
    {
        var chars = new char[value.Length];
        for (var i = 0; i < value.Length; i++)
        {
            chars[i] = Alphabet[value[i] % Alphabet.Length];
        }

        return new string(chars);
    }

    private static string CanonicalIgnoreHash(V1PodTemplateSpec? template)
    {
        if (template?.Metadata?.Labels is not { } labels || !labels.ContainsKey(LabelKey)) return Canonical(template);
        var copy = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(template));
        copy.Metadata.Labels.Remove(LabelKey);
        return Canonical(copy);
    }

    internal static uint Fnv32a(uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash ^= b;
            hash = unchecked(hash * 16777619u);
        }

        return hash;
    }

    private static bool IsEmpty(string? name, JsonNode? node) => node switch
    {
        null => true,
        JsonArray array => array.Count == 0,
        JsonObject obj => name is not null && StringMaps.Contains(name) && obj.Count == 0,
        _ => false,
    };

    private static void Write(Utf8JsonWriter writer, JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (IsEmpty(name, value)) continue;
                    writer.WritePropertyName(name);
                    // IsEmpty is false only for non-null values.
                    Write(writer, value!);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    if (item is null) writer.WriteNullValue();
                    else Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
