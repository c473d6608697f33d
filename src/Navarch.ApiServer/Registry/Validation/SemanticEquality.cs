using System.Text.Json.Nodes;
using k8s;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// Deep equality of API values by their JSON form (map order ignored), standing in for Go's apiequality.Semantic.DeepEqual
/// where an update must leave a whole subtree unchanged.
/// </summary>
internal static class SemanticEquality
{
    public static bool AreEqual<T>(T? left, T? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        return JsonNode.DeepEquals(JsonNode.Parse(KubernetesJson.Serialize(left)), JsonNode.Parse(KubernetesJson.Serialize(right)));
    }
}
