using k8s.Models;
using Navarch.Api.Scheduling;

namespace Navarch.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// What PreFilter computes for Filter: per DoNotSchedule constraint, the matching pod count of each eligible
/// domain and the critical paths. Cloneable because preemption updates a copy per node it simulates on.
/// </summary>
internal sealed class PreFilterState : ICloneable
{
    public PreFilterState(
        IReadOnlyList<SpreadConstraint> constraints, RequiredNodeAffinity requiredAffinity, CriticalPaths[] criticalPaths, Dictionary<string, int>[] counts)
    {
        Constraints = constraints;
        RequiredAffinity = requiredAffinity;
        Paths = criticalPaths;
        TpValueToMatchNum = counts;
    }

    public IReadOnlyList<SpreadConstraint> Constraints { get; }

    /// <summary>The incoming pod's required node affinity, for the inclusion policies.</summary>
    public RequiredNodeAffinity RequiredAffinity { get; }

    public CriticalPaths[] Paths { get; }

    public Dictionary<string, int>[] TpValueToMatchNum { get; }

    /// <summary>The global minimum for the skew: 0 while there are fewer eligible domains than minDomains.</summary>
    public int MinMatchNum(int constraint)
    {
        var min = Paths[constraint].MinMatchNum;
        return TpValueToMatchNum[constraint].Count < Constraints[constraint].MinDomains ? 0 : min;
    }

    /// <summary>Counts <paramref name="updated"/> in (delta 1) or out (-1) of the node's domains, as updateWithPod.</summary>
    public void UpdateWithPod(V1Pod updated, V1Pod preemptor, V1Node node, int delta)
    {
        if ((updated.Metadata?.NamespaceProperty ?? "default") != (preemptor.Metadata?.NamespaceProperty ?? "default")) return;
        var labels = node.Metadata?.Labels;
        if (!SpreadConstraint.NodeHasAllKeys(labels, Constraints)) return;

        for (var i = 0; i < Constraints.Count; i++)
        {
            var constraint = Constraints[i];
            if (!constraint.Selector.Matches(updated.Metadata)) continue;
            if (!constraint.MatchNodeInclusionPolicies(preemptor, node, RequiredAffinity)) continue;

            // NodeHasAllKeys guarantees the label is present.
            var value = labels![constraint.TopologyKey];
            var num = TpValueToMatchNum[i].GetValueOrDefault(value) + delta;
            TpValueToMatchNum[i][value] = num;
            Paths[i].Update(value, num);
        }
    }

    public object Clone()
    {
        var paths = new CriticalPaths[Paths.Length];
        var counts = new Dictionary<string, int>[TpValueToMatchNum.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = Paths[i].Clone();
            counts[i] = new Dictionary<string, int>(TpValueToMatchNum[i], StringComparer.Ordinal);
        }

        return new PreFilterState(Constraints, RequiredAffinity, paths, counts);
    }
}
