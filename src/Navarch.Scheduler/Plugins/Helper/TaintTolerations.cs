using k8s.Models;

namespace Navarch.Scheduler.Plugins.Helper;

/// <summary>Toleration matching with Kubernetes' rules (v1.Toleration.ToleratesTaint).</summary>
internal static class TaintTolerations
{
    public const string NoSchedule = "NoSchedule";
    public const string NoExecute = "NoExecute";
    public const string PreferNoSchedule = "PreferNoSchedule";

    /// <summary>
    /// True when <paramref name="toleration"/> tolerates the taint: an empty effect matches every effect, an empty
    /// key matches every key (valid only with Exists), and Exists ignores the value while Equal (or no operator)
    /// compares it.
    /// </summary>
    public static bool Tolerates(V1Toleration toleration, string? taintKey, string? taintValue, string? taintEffect)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != (taintEffect ?? string.Empty)) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != (taintKey ?? string.Empty)) return false;
        return toleration.OperatorProperty switch
        {
            null or "" or "Equal" => (toleration.Value ?? string.Empty) == (taintValue ?? string.Empty),
            "Exists" => true,
            _ => false,
        };
    }

    public static bool Tolerates(V1Toleration toleration, V1Taint taint) =>
        Tolerates(toleration, taint.Key, taint.Value, taint.Effect);

    /// <summary>True when any of <paramref name="tolerations"/> tolerates the taint (v1helper.TolerationsTolerateTaint).</summary>
    public static bool AnyTolerates(IList<V1Toleration>? tolerations, string? taintKey, string? taintValue, string? taintEffect)
    {
        if (tolerations is null) return false;
        for (var i = 0; i < tolerations.Count; i++)
        {
            if (Tolerates(tolerations[i], taintKey, taintValue, taintEffect)) return true;
        }

        return false;
    }

    public static bool AnyTolerates(IList<V1Toleration>? tolerations, V1Taint taint) =>
        AnyTolerates(tolerations, taint.Key, taint.Value, taint.Effect);

    /// <summary>
    /// The first NoSchedule or NoExecute taint none of the tolerations tolerates, in the node's order
    /// (v1helper.FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc); null when all are tolerated.
    /// </summary>
    public static V1Taint? FindUntoleratedDoNotScheduleTaint(IList<V1Taint>? taints, IList<V1Toleration>? tolerations)
    {
        if (taints is null) return null;
        for (var i = 0; i < taints.Count; i++)
        {
            var taint = taints[i];
            if (taint.Effect is not (NoSchedule or NoExecute)) continue;
            if (!AnyTolerates(tolerations, taint)) return taint;
        }

        return null;
    }
}
