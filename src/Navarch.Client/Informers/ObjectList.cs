using System.Text.Json.Serialization;
using k8s.Models;

namespace Navarch.Client.Informers;

/// <summary>The shape of any list response (<c>V1PodList</c>, <c>V1NodeList</c>, ...) for one generic reader.</summary>
internal sealed class ObjectList<T>
{
    [JsonPropertyName("metadata")]
    public V1ListMeta? Metadata { get; set; }

    [JsonPropertyName("items")]
    public List<T>? Items { get; set; }
}
