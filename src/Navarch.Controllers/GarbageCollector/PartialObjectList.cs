using System.Text.Json.Serialization;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>A meta.k8s.io/v1 PartialObjectMetadataList.</summary>
internal sealed class PartialObjectList
{
    [JsonPropertyName("items")]
    public List<PartialObject>? Items { get; set; }
}
