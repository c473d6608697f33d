using k8s.Models;

namespace Navarch.Api.Scheduling;

/// <summary>
/// Toleration matching with Kubernetes' rules (v1.Toleration.ToleratesTaint and the v1helper functions built on
/// it), shared by the scheduler's TaintToleration, NodeUnschedulable and PodTopologySpread plugins and the
/// DaemonSet and taint-eviction controllers. Nothing here allocates except <see cref="TryGetMatchingTolerations"/>.
/// </summary>
public static class Tolerations
{
    /// <summary>
    /// True when <paramref name="toleration"/> tolerates the taint: an empty effect matches every effect, an empty
    /// key matches every key (valid only with Exists), and Exists ignores the value while Equal (or no operator)
    /// compares it; any other operator tolerates nothing.
    /// </summary>
    public static bool Tolerates(V1Toleration toleration, string? taintKey, string? taintValue, string? taintEffect)
    {
        ArgumentNullException.ThrowIfNull(toleration);
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != (taintEffect ?? string.Empty)) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != (taintKey ?? string.Empty)) return false;
        return toleration.OperatorProperty switch
        {
            null or "" or "Equal" => (toleration.Value ?? string.Empty) == (taintValue ?? string.Empty),
            "Exists" => true,
            _ => false,
        };
    }

    /// <summary>True when <paramref name="toleration"/> tolerates <paramref name="taint"/> (v1.Toleration.ToleratesTaint).</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(taint);
        return Tolerates(toleration, taint.Key, taint.Value, taint.Effect);
    }

    /// <summary>True when any of <paramref name="tolerations"/> tolerates the taint (v1helper.TolerationsTolerateTaint).</summary>
    public static bool TolerationsTolerateTaint(IList<V1Toleration>? tolerations, string? taintKey, string? taintValue, string? taintEffect)
    {
        if (tolerations is null) return false;
        for (var i = 0; i < tolerations.Count; i++)
        {
            if (Tolerates(tolerations[i], taintKey, taintValue, taintEffect)) return true;
        }

        return false;
    }

    /// <summary>True when any of <paramref name="tolerations"/> tolerates <paramref name="taint"/> (v1helper.TolerationsTolerateTaint).</summary>
    public static bool TolerationsTolerateTaint(IList<V1Toleration>? tolerations, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(taint);
        return TolerationsTolerateTaint(tolerations, taint.Key, taint.Value, taint.Effect);
    }

    /// <summary>
    /// The first taint, in the node's order, whose effect <paramref name="effects"/> includes and that none of the
    /// tolerations tolerates (v1helper.FindMatchingUntoleratedTaint); null when all such taints are tolerated.
    /// </summary>
    public static V1Taint? FindUntolerated(IList<V1Taint>? taints, IList<V1Toleration>? tolerations, TaintEffectFilter effects)
    {
        if (taints is null) return null;
        for (var i = 0; i < taints.Count; i++)
        {
            var taint = taints[i];
            if (!Includes(effects, taint.Effect)) continue;
            if (!TolerationsTolerateTaint(tolerations, taint)) return taint;
        }

        return null;
    }

    /// <summary>How many taints with an effect in <paramref name="effects"/> none of the tolerations tolerates.</summary>
    public static int CountUntolerated(IList<V1Taint>? taints, IList<V1Toleration>? tolerations, TaintEffectFilter effects)
    {
        if (taints is null) return 0;
        var count = 0;
        for (var i = 0; i < taints.Count; i++)
        {
            var taint = taints[i];
            if (Includes(effects, taint.Effect) && !TolerationsTolerateTaint(tolerations, taint)) count++;
        }

        return count;
    }

    /// <summary>
    /// Whether every taint is tolerated and, if so, for each taint in order the first toleration that tolerates
    /// it (v1helper.GetMatchingTolerations); <paramref name="matching"/> is partial when a taint is not tolerated.
    /// </summary>
    public static bool TryGetMatchingTolerations(IReadOnlyList<V1Taint> taints, IList<V1Toleration>? tolerations, out List<V1Toleration> matching)
    {
        ArgumentNullException.ThrowIfNull(taints);
        matching = [];
        for (var t = 0; t < taints.Count; t++)
        {
            var taint = taints[t];
            V1Toleration? match = null;
            for (var i = 0; tolerations is not null && i < tolerations.Count; i++)
            {
                if (!Tolerates(tolerations[i], taint)) continue;
                match = tolerations[i];
                break;
            }

            if (match is null) return false;
            matching.Add(match);
        }

        return true;
    }

    private static bool Includes(TaintEffectFilter effects, string? effect) => effect switch
    {
        TaintEffects.NoSchedule => (effects & TaintEffectFilter.NoSchedule) != 0,
        TaintEffects.PreferNoSchedule => (effects & TaintEffectFilter.PreferNoSchedule) != 0,
        TaintEffects.NoExecute => (effects & TaintEffectFilter.NoExecute) != 0,
        _ => false,
    };
}
