using System.Globalization;
using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// The arithmetic of a rollout, as Kubernetes' deploymentutil: maxSurge/maxUnavailable resolution (surge rounds
/// up, unavailable rounds down, never both zero), the next size of the new ReplicaSet, and the proportions of a
/// scale change spread over the active ReplicaSets.
/// </summary>
internal static class RolloutMath
{
    public static int Replicas(V1Deployment d) => d.Spec?.Replicas ?? 1;

    public static int Replicas(V1ReplicaSet? rs) => rs?.Spec?.Replicas ?? 0;

    public static bool IsRollingUpdate(V1Deployment d) => d.Spec?.Strategy?.Type is null or "RollingUpdate";

    /// <summary>intstrutil.GetScaledValueFromIntOrPercent: an int as is, "N%" of <paramref name="total"/> rounded up or down.</summary>
    /// <exception cref="FormatException">A string that is not a percentage.</exception>
    public static int ScaledValue(IntOrString? value, int total, bool roundUp)
    {
        var text = value?.Value;
        if (string.IsNullOrEmpty(text)) return 0;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) return number;
        if (!text.EndsWith('%')
            || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var percent))
        {
            throw new FormatException($"invalid value for IntOrString: invalid type: string is not a percentage");
        }

        var scaled = (long)percent * total;
        return (int)(roundUp ? (scaled + 99) / 100 : scaled / 100);
    }

    /// <summary>ResolveFenceposts: the absolute surge and unavailability; both zero becomes unavailable 1.</summary>
    public static (int Surge, int Unavailable) ResolveFenceposts(IntOrString? maxSurge, IntOrString? maxUnavailable, int desired)
    {
        var surge = ScaledValue(maxSurge, desired, roundUp: true);
        var unavailable = ScaledValue(maxUnavailable, desired, roundUp: false);
        // Rounding unavailability down may make both zero, which would stall a rollout: allow one unavailable.
        if (surge == 0 && unavailable == 0) unavailable = 1;
        return (surge, unavailable);
    }

    public static int MaxSurge(V1Deployment d)
    {
        if (!IsRollingUpdate(d)) return 0;
        var rolling = d.Spec?.Strategy?.RollingUpdate;
        return ResolveFenceposts(rolling?.MaxSurge, rolling?.MaxUnavailable, Replicas(d)).Surge;
    }

    public static int MaxUnavailable(V1Deployment d)
    {
        var replicas = Replicas(d);
        if (!IsRollingUpdate(d) || replicas == 0) return 0;
        var rolling = d.Spec?.Strategy?.RollingUpdate;
        var unavailable = ResolveFenceposts(rolling?.MaxSurge, rolling?.MaxUnavailable, replicas).Unavailable;
        return Math.Min(unavailable, replicas);
    }

    /// <summary>Sum of spec.replicas.</summary>
    public static int SpecReplicas(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(Replicas);

    /// <summary>Sum of status.replicas.</summary>
    public static int ActualReplicas(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.Replicas ?? 0);

    public static int ReadyReplicas(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.ReadyReplicas ?? 0);

    public static int AvailableReplicas(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.AvailableReplicas ?? 0);

    /// <summary>NewRSNewReplicas: how big the new ReplicaSet may be now.</summary>
    public static int NewReplicaSetReplicas(V1Deployment d, IEnumerable<V1ReplicaSet?> all, V1ReplicaSet newRs)
    {
        var replicas = Replicas(d);
        if (!IsRollingUpdate(d)) return replicas;
        var rolling = d.Spec?.Strategy?.RollingUpdate;
        var maxSurge = ScaledValue(rolling?.MaxSurge, replicas, roundUp: true);
        var current = SpecReplicas(all);
        var maxTotal = replicas + maxSurge;
        if (current >= maxTotal) return Replicas(newRs);
        var scaleUp = Math.Min(maxTotal - current, replicas - Replicas(newRs));
        return Replicas(newRs) + scaleUp;
    }

    /// <summary>
    /// GetProportion: this ReplicaSet's share of <paramref name="toAdd"/> given what was already added, limited so
    /// the total never overshoots.
    /// </summary>
    public static int Proportion(V1ReplicaSet? rs, V1Deployment d, int toAdd, int added)
    {
        if (rs is null || Replicas(rs) == 0 || toAdd == 0 || toAdd == added) return 0;
        var fraction = Fraction(rs, d);
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    /// <summary>getReplicaSetFraction: the change of this ReplicaSet's size if it kept its share of the deployment.</summary>
    public static int Fraction(V1ReplicaSet rs, V1Deployment d)
    {
        if (Replicas(d) == 0) return -Replicas(rs);
        var deploymentReplicas = Replicas(d) + MaxSurge(d);
        // Without the annotation fall back to the current size; min/max in Proportion keep us within bounds.
        var annotated = DeploymentAnnotations.MaxReplicas(rs) ?? d.Status?.Replicas ?? 0;
        if (annotated == 0) return 0;
        var size = (double)Replicas(rs) * deploymentReplicas / annotated;
        return (int)Math.Round(size, MidpointRounding.AwayFromZero) - Replicas(rs);
    }

    /// <summary>
    /// The sizes after spreading <c>replicas + maxSurge - current</c> over <paramref name="active"/> (the active
    /// ReplicaSets, new one included), as the deployment controller's scale(): largest first (newer first when
    /// adding, older first when removing); leftovers go to the first.
    /// </summary>
    public static (Dictionary<string, int> Sizes, List<V1ReplicaSet> Order, string Operation) Proportional(V1Deployment d, IReadOnlyList<V1ReplicaSet> active)
    {
        var allowed = Replicas(d) > 0 ? Replicas(d) + MaxSurge(d) : 0;
        var toAdd = allowed - SpecReplicas(active);
        var order = new List<V1ReplicaSet>(active);
        var operation = "";
        if (toAdd > 0)
        {
            order.Sort(ReplicaSetOrder.BySizeNewer);
            operation = "up";
        }
        else if (toAdd < 0)
        {
            order.Sort(ReplicaSetOrder.BySizeOlder);
            operation = "down";
        }

        var added = 0;
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rs in order)
        {
            if (toAdd != 0)
            {
                var proportion = Proportion(rs, d, toAdd, added);
                sizes[rs.Metadata.Name] = Replicas(rs) + proportion;
                added += proportion;
            }
            else
            {
                sizes[rs.Metadata.Name] = Replicas(rs);
            }
        }

        if (order.Count > 0 && toAdd != 0)
        {
            var first = order[0].Metadata.Name;
            sizes[first] = Math.Max(0, sizes[first] + toAdd - added);
        }

        return (sizes, order, operation);
    }
}
