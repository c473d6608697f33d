using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// Favors fuller nodes (bin packing): per resource (requested * 100) / capacity with requested capped at capacity
/// (non-zero defaults can push it over), averaged by weight with integer division (mostResourceScorer).
/// </summary>
internal sealed class MostAllocatedScorer(IReadOnlyList<ResourceSpec> resources) : IResourceScorer
{
    public long Score(ReadOnlySpan<long> requested, ReadOnlySpan<long> allocatable)
    {
        long nodeScore = 0, weightSum = 0;
        for (var i = 0; i < requested.Length; i++)
        {
            if (allocatable[i] == 0) continue;
            var weight = resources[i].Weight;
            nodeScore += MostRequestedScore(requested[i], allocatable[i]) * weight;
            weightSum += weight;
        }

        return weightSum == 0 ? 0 : nodeScore / weightSum;
    }

    private static long MostRequestedScore(long requested, long capacity)
    {
        if (capacity == 0) return 0;
        if (requested > capacity) requested = capacity;
        return requested * ScoreLimits.MaxNodeScore / capacity;
    }
}
