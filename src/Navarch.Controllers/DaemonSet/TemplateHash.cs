using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Navarch.Controllers.DaemonSet;

/// <summary>
/// The revision hash of a pod template, in the spirit of Kubernetes' controller.ComputeHash: FNV-32a over a
/// stable serialization of the template (JSON with object keys sorted, so map order never changes the hash),
/// then the collision count, encoded with rand.SafeEncodeString's alphabet. Upstream hashes a Go dump of the
/// struct, so the values differ from kube-controller-manager's; only stability matters to us.
/// </summary>
internal static class TemplateHash
{
    // rand.SafeEncodeString: no vowels and no confusable digits, so a hash never spells a word.
    private const string Alphanumerics = "bcdfghjklmnpqrstvwxz2456789";

    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static string Compute(V1PodTemplateSpec? template, int? collisionCount)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var document = JsonDocument.Parse(KubernetesJson.Serialize(template ?? new V1PodTemplateSpec())))
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteCanonical(document.RootElement, writer);
        }

        var hash = Fnv32a(OffsetBasis, buffer.WrittenSpan);
        if (collisionCount is { } count)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, unchecked((uint)count));
            hash = Fnv32a(hash, bytes);
        }

        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    private static uint Fnv32a(uint hash, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            hash ^= b;
            hash = unchecked(hash * Prime);
        }

        return hash;
    }

    private static string SafeEncode(string value) =>
        string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = Alphanumerics[source[i] % Alphanumerics.Length];
            }
        });

    private static void WriteCanonical(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = new List<JsonProperty>();
                foreach (var property in element.EnumerateObject())
                {
                    properties.Add(property);
                }

                properties.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                writer.WriteStartObject();
                foreach (var property in properties)
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(property.Value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(item, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
