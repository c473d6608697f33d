using k8s.Models;
using Navarch.Api.Patching;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// The list shapes of the built-in kinds for server-side apply. Kubernetes' OpenAPI derives them from the
/// strategic-merge-patch tags (<c>patchStrategy:"merge"</c> with a <c>patchMergeKey</c> makes a map keyed by it, without
/// one a set), which <see cref="PatchMetadata"/> holds, except where <c>x-kubernetes-list-map-keys</c> names more keys:
/// ports are keyed by port and protocol, with protocol defaulting to TCP, exactly as kube-apiserver keys them in
/// managedFields (<c>k:{"containerPort":80,"protocol":"TCP"}</c>). Every other list is atomic.
/// </summary>
internal sealed class KnownListKeys : IListKeys
{
    private static readonly Dictionary<string, string> s_tcp = new() { ["protocol"] = "TCP" };

    private readonly PatchMetadata _patchMetadata;
    private readonly Dictionary<(Type, string), ListShape> _listMapKeys;

    public KnownListKeys(PatchMetadata patchMetadata)
    {
        _patchMetadata = patchMetadata;
        _listMapKeys = new Dictionary<(Type, string), ListShape>
        {
            [(typeof(V1Container), "ports")] = ListShape.Map(["containerPort", "protocol"], s_tcp),
            [(typeof(V1EphemeralContainer), "ports")] = ListShape.Map(["containerPort", "protocol"], s_tcp),
            [(typeof(V1ServiceSpec), "ports")] = ListShape.Map(["port", "protocol"], s_tcp),
            [(typeof(V1PodSpec), "topologySpreadConstraints")] = ListShape.Map("topologyKey", "whenUnsatisfiable"),
        };
    }

    public ListShape? Lookup(Type modelType, string jsonField)
    {
        if (_listMapKeys.TryGetValue((modelType, jsonField), out var shape))
        {
            return shape;
        }

        if (_patchMetadata.Lookup(modelType, jsonField) is not { Shape: FieldShape.List } info
            || !info.Strategy.HasFlag(PatchStrategy.Merge))
        {
            return null;
        }

        return info.MergeKey is null ? ListShape.Set : ListShape.Map(info.MergeKey);
    }
}
