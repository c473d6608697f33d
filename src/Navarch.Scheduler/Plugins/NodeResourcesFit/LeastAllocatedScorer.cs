using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// Favors nodes with more free capacity: per resource ((capacity - requested) * 100) / capacity, 0 when over
/// capacity, averaged by weight with integer division (leastResourceScorer).
/// </summary>
internal sealed class LeastAllocatedScorer(IReadOnlyList<ResourceSpec> resources) : IResourceScorer
{
    public long Score(ReadOnlySpan<long> requested, ReadOnlySpan<long> allocatable)
    {
        long nodeScore = 0, weightSum = 0;
        for (var i = 0; i < requested.Length; i++)
        {
            if (allocatable[i] == 0) continue;
            var weight = resources[i].Weight;
            nodeScore += LeastRequestedScore(requested[i], allocatable[i]) * weight;
            weightSum += weight;
        }

        return weightSum == 0 ? 0 : nodeScore / weightSum;
    }

    private static long LeastRequestedScore(long requested, long capacity)
    {
        if (capacity == 0 || requested > capacity) return 0;
        return (capacity - requested) * ScoreLimits.MaxNodeScore / capacity;
    }
}
