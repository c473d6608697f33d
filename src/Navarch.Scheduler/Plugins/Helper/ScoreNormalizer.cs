using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.Helper;

/// <summary>Score normalization shared by plugins, as kube-scheduler's plugins/helper.</summary>
internal static class ScoreNormalizer
{
    /// <summary>
    /// Scales scores so the highest becomes <paramref name="maxPriority"/> (integer division, as
    /// helper.DefaultNormalizeScore); with <paramref name="reverse"/> the result is subtracted from the maximum.
    /// When every score is 0 the scores stay 0, or all become the maximum when reversed.
    /// </summary>
    public static void DefaultNormalizeScore(long maxPriority, bool reverse, Span<NodeScore> scores)
    {
        long maxCount = 0;
        foreach (ref var score in scores)
        {
            if (score.Score > maxCount) maxCount = score.Score;
        }

        if (maxCount == 0)
        {
            if (reverse)
            {
                foreach (ref var score in scores) score.Score = maxPriority;
            }

            return;
        }

        foreach (ref var score in scores)
        {
            var value = maxPriority * score.Score / maxCount;
            score.Score = reverse ? maxPriority - value : value;
        }
    }
}
