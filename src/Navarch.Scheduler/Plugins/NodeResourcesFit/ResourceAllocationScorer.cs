using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// The part of resource scoring shared by NodeResourcesFit and BalancedAllocation (resourceAllocationScorer):
/// for each configured resource, the node's allocatable and its requested amount with the incoming pod added.
/// Fit counts cpu and memory with the non-zero defaults for unset requests; BalancedAllocation uses real requests.
/// </summary>
internal sealed class ResourceAllocationScorer
{
    private const int StackLimit = 32;

    private readonly IResourceScorer _scorer;
    private readonly bool _useRequested;

    public ResourceAllocationScorer(IReadOnlyList<ResourceSpec> resources, IResourceScorer scorer, bool useRequested)
    {
        Resources = resources;
        _scorer = scorer;
        _useRequested = useRequested;
    }

    public IReadOnlyList<ResourceSpec> Resources { get; }

    /// <summary>The pod's request for each configured resource, in the same order.</summary>
    public long[] PodRequests(V1Pod pod)
    {
        var requests = Framework.PodRequests.Compute(pod, nonZero: !_useRequested);
        var result = new long[Resources.Count];
        for (var i = 0; i < result.Length; i++) result[i] = requests.Get(Resources[i].Name);
        return result;
    }

    public (long Score, Status Status) Score(NodeInfo nodeInfo, long[] podRequests)
    {
        if (nodeInfo.Node is null) return (0, Status.AsError("node not found"));
        if (Resources.Count == 0) return (0, Status.AsError("resources not found"));

        var count = Resources.Count;
        Span<long> requested = count <= StackLimit ? stackalloc long[count] : new long[count];
        Span<long> allocatable = count <= StackLimit ? stackalloc long[count] : new long[count];
        requested.Clear();
        allocatable.Clear();
        for (var i = 0; i < count; i++)
        {
            var (alloc, req) = AllocatableAndRequested(nodeInfo, Resources[i].Name, podRequests[i]);

            // Resources the node does not have stay (0, 0), which scorers skip.
            if (alloc == 0) continue;
            allocatable[i] = alloc;
            requested[i] = req;
        }

        return (_scorer.Score(requested, allocatable), Status.Success);
    }

    private (long Allocatable, long Requested) AllocatableAndRequested(NodeInfo nodeInfo, string resource, long podRequest)
    {
        var requested = _useRequested ? nodeInfo.Requested : nodeInfo.NonZeroRequested;

        // An extended resource the pod does not ask for plays no part in the score.
        if (podRequest == 0 && Resource.IsScalarResourceName(resource)) return (0, 0);
        switch (resource)
        {
            case Resource.Cpu:
                return (nodeInfo.Allocatable.MilliCpu, requested.MilliCpu + podRequest);
            case Resource.MemoryName:
                return (nodeInfo.Allocatable.Memory, requested.Memory + podRequest);
            case Resource.EphemeralStorageName:
                return (nodeInfo.Allocatable.EphemeralStorage, nodeInfo.Requested.EphemeralStorage + podRequest);
            default:
                if (nodeInfo.Allocatable.Scalar is { } scalar && scalar.TryGetValue(resource, out var alloc))
                {
                    return (alloc, nodeInfo.Requested.GetScalar(resource) + podRequest);
                }

                return (0, 0);
        }
    }
}
