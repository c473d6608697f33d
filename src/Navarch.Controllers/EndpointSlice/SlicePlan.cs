using k8s.Models;

namespace Navarch.Controllers.EndpointSlice;

/// <summary>What a reconcile of one service's slices will write: new slices, changed ones, and ones to delete.</summary>
internal sealed record SlicePlan(List<V1EndpointSlice> Creates, List<V1EndpointSlice> Updates, List<V1EndpointSlice> Deletes)
{
    public bool IsEmpty => Creates.Count == 0 && Updates.Count == 0 && Deletes.Count == 0;
}
