namespace Navarch.Scheduler.Framework;

/// <summary>The range every Score plugin's normalized output falls in, as kube-scheduler's MaxNodeScore.</summary>
public static class ScoreLimits
{
    public const long MinNodeScore = 0;
    public const long MaxNodeScore = 100;
}
