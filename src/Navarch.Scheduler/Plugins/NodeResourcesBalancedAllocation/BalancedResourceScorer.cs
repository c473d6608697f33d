using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins.NodeResourcesFit;

namespace Navarch.Scheduler.Plugins.NodeResourcesBalancedAllocation;

/// <summary>
/// (1 - std) * 100 over the resources' utilization fractions (each capped at 1), truncated: nodes whose
/// resources fill up evenly score higher (balancedResourceScorer). With two resources std is |f1 - f2| / 2.
/// </summary>
internal sealed class BalancedResourceScorer : IResourceScorer
{
    public long Score(ReadOnlySpan<long> requested, ReadOnlySpan<long> allocatable)
    {
        // Two passes over the spans instead of a list of fractions keeps this allocation-free.
        var count = 0;
        double total = 0, first = 0, second = 0;
        for (var i = 0; i < requested.Length; i++)
        {
            if (allocatable[i] == 0) continue;
            var fraction = Fraction(requested[i], allocatable[i]);
            if (count == 0) first = fraction;
            else if (count == 1) second = fraction;
            total += fraction;
            count++;
        }

        var std = 0.0;
        if (count == 2)
        {
            std = Math.Abs((first - second) / 2);
        }
        else if (count > 2)
        {
            var mean = total / count;
            double sum = 0;
            for (var i = 0; i < requested.Length; i++)
            {
                if (allocatable[i] == 0) continue;
                var deviation = Fraction(requested[i], allocatable[i]) - mean;
                sum += deviation * deviation;
            }

            std = Math.Sqrt(sum / count);
        }

        return (long)((1 - std) * ScoreLimits.MaxNodeScore);
    }

    private static double Fraction(long requested, long allocatable) => Math.Min(1.0, (double)requested / allocatable);
}
