using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// Scores each resource by a piecewise-linear function of its utilization (0-100%), given as shape points with
/// scores 0-10 scaled to 0-100; resources scoring 0 are left out of the weighted mean, which is rounded
/// (requestedToCapacityRatioScorer and helper.BuildBrokenLinearFunction).
/// </summary>
internal sealed class RequestedToCapacityRatioScorer : IResourceScorer
{
    /// <summary>The top of the configured score range (config.MaxCustomPriorityScore).</summary>
    public const int MaxCustomPriorityScore = 10;

    private const long MaxUtilization = 100;

    private readonly IReadOnlyList<ResourceSpec> _resources;
    private readonly (long Utilization, long Score)[] _shape;

    public RequestedToCapacityRatioScorer(IReadOnlyList<ResourceSpec> resources, IReadOnlyList<(int Utilization, int Score)> shape)
    {
        _resources = resources;
        _shape = new (long, long)[shape.Count];
        for (var i = 0; i < shape.Count; i++)
        {
            _shape[i] = (shape[i].Utilization, shape[i].Score * (ScoreLimits.MaxNodeScore / MaxCustomPriorityScore));
        }
    }

    public long Score(ReadOnlySpan<long> requested, ReadOnlySpan<long> allocatable)
    {
        long nodeScore = 0, weightSum = 0;
        for (var i = 0; i < requested.Length; i++)
        {
            if (allocatable[i] == 0) continue;
            var weight = _resources[i].Weight;
            var resourceScore = ResourceScore(requested[i], allocatable[i]);
            if (resourceScore > 0)
            {
                nodeScore += resourceScore * weight;
                weightSum += weight;
            }
        }

        // Go's math.Round rounds halves away from zero.
        return weightSum == 0 ? 0 : (long)Math.Round((double)nodeScore / weightSum, MidpointRounding.AwayFromZero);
    }

    private long ResourceScore(long requested, long capacity) =>
        capacity == 0 || requested > capacity
            ? BrokenLinear(MaxUtilization)
            : BrokenLinear(requested * MaxUtilization / capacity);

    /// <summary>The shape's value at <paramref name="p"/>, flat before the first and after the last point.</summary>
    private long BrokenLinear(long p)
    {
        for (var i = 0; i < _shape.Length; i++)
        {
            if (p > _shape[i].Utilization) continue;
            if (i == 0) return _shape[0].Score;
            var (u0, s0) = _shape[i - 1];
            var (u1, s1) = _shape[i];
            return s0 + ((s1 - s0) * (p - u0) / (u1 - u0));
        }

        return _shape[^1].Score;
    }
}
