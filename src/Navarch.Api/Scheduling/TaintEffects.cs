namespace Navarch.Api.Scheduling;

/// <summary>The taint effects of core/v1 (v1.TaintEffect).</summary>
public static class TaintEffects
{
    /// <summary>New pods that do not tolerate the taint are not scheduled; running ones stay.</summary>
    public const string NoSchedule = "NoSchedule";

    /// <summary>The scheduler avoids the node for pods that do not tolerate the taint, but may still use it.</summary>
    public const string PreferNoSchedule = "PreferNoSchedule";

    /// <summary>Pods that do not tolerate the taint are not scheduled and are evicted if running.</summary>
    public const string NoExecute = "NoExecute";
}
