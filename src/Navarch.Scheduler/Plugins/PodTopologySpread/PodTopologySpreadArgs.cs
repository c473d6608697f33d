using System.Text.Json;
using k8s;
using k8s.Models;

namespace Navarch.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// PodTopologySpreadArgs of KubeSchedulerConfiguration: <c>defaultingType</c> ("System", the default, or "List")
/// and <c>defaultConstraints</c> (only with "List"; they must not set a labelSelector).
/// kube-scheduler's System defaults (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway) select pods by the
/// Services/ReplicaSets/StatefulSets that own them, which this scheduler has no listers for; rather than spread
/// by a guessed selector, System defaulting applies no default constraints here (<see cref="DefaultConstraints"/>
/// is empty) and only "List" defaults are applied.
/// </summary>
internal sealed record PodTopologySpreadArgs(bool SystemDefaulting, IReadOnlyList<V1TopologySpreadConstraint> DefaultConstraints)
{
    /// <exception cref="ArgumentException">Invalid arguments, with kube-scheduler's validation message.</exception>
    public static PodTopologySpreadArgs Parse(JsonElement? args)
    {
        var system = true;
        List<V1TopologySpreadConstraint> constraints = [];
        if (args is { ValueKind: JsonValueKind.Object } element)
        {
            if (element.TryGetProperty("defaultingType", out var type) && type.ValueKind == JsonValueKind.String)
            {
                system = type.GetString() switch
                {
                    "System" or "" => true,
                    "List" => false,
                    var other => throw new ArgumentException(
                        $"defaultingType: Unsupported value: \"{other}\": supported values: \"List\", \"System\"", nameof(args)),
                };
            }

            if (element.TryGetProperty("defaultConstraints", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                constraints = KubernetesJson.Deserialize<List<V1TopologySpreadConstraint>>(list.GetRawText()) ?? [];
            }
        }

        if (system && constraints.Count > 0)
        {
            throw new ArgumentException("defaultConstraints: Invalid value: \"List\": when .defaultingType is \"System\"", nameof(args));
        }

        for (var i = 0; i < constraints.Count; i++)
        {
            var c = constraints[i];
            if (c.LabelSelector is not null)
            {
                throw new ArgumentException(
                    $"defaultConstraints[{i}].labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod",
                    nameof(args));
            }

            if (c.MaxSkew <= 0)
            {
                throw new ArgumentException($"defaultConstraints[{i}].maxSkew: Invalid value: {c.MaxSkew}: not in valid range [1, inf)", nameof(args));
            }

            if (string.IsNullOrEmpty(c.TopologyKey))
            {
                throw new ArgumentException($"defaultConstraints[{i}].topologyKey: Required value: can not be empty", nameof(args));
            }
        }

        return new PodTopologySpreadArgs(system, constraints);
    }
}
