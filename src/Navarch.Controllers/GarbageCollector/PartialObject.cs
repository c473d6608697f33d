using System.Text.Json.Serialization;
using k8s.Models;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>A meta.k8s.io/v1 PartialObjectMetadata: an object's metadata without its body (KubernetesClient has no model for it).</summary>
internal sealed class PartialObject
{
    [JsonPropertyName("metadata")]
    public V1ObjectMeta? Metadata { get; set; }
}
