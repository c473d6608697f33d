using System.Globalization;
using k8s.Models;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.ReplicaSet;

/// <summary>
/// Orders pods from least to most valuable, as Kubernetes' <c>controller.ActivePods</c> and
/// <c>controller.ActivePodsWithRanks</c> do, so a controller that must remove some pods removes the ones whose loss
/// hurts least. "Less valuable" means, criterion by criterion (the first that differs decides):
/// <list type="number">
/// <item>unassigned (no <c>spec.nodeName</c>) before assigned;</item>
/// <item>phase Pending before Unknown before Running;</item>
/// <item>not Ready before Ready;</item>
/// <item>(ranked order only) lower <c>controller.kubernetes.io/pod-deletion-cost</c> first (PodDeletionCost, on by default);</item>
/// <item>(ranked order only) higher rank first — the rank being how many related pods share the pod's node, so doubled-up pods go first;</item>
/// <item>both Ready: Ready for less time first;</item>
/// <item>higher maximum container restart count first (then sidecar restarts);</item>
/// <item>newer creation first (a missing timestamp counts as newest).</item>
/// </list>
/// The ranked order buckets ready and creation times by log2 of their age (LogarithmicScaleDown, on by default), so
/// pods of about the same age tie and the UID decides, which spreads scale-down over pods of similar age.
/// Reusable by any controller that scales pods down (ReplicaSet, Job, Deployment helpers).
/// </summary>
internal static class ActivePodsRanking
{
    /// <summary>The annotation users set to tell which pods to remove first (lower cost goes first).</summary>
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    /// <summary>
    /// controller.ActivePods' order: negative when <paramref name="x"/> is less valuable than <paramref name="y"/>.
    /// No ranks, no deletion cost, exact times.
    /// </summary>
    public static int Compare(V1Pod x, V1Pod y) => Compare(x, 0, y, 0, now: null, ranked: false);

    /// <summary>
    /// controller.ActivePodsWithRanks' order: negative when <paramref name="x"/> (with <paramref name="rankX"/>) is less
    /// valuable than <paramref name="y"/>. <paramref name="now"/> anchors the logarithmic age buckets.
    /// </summary>
    public static int CompareWithRanks(V1Pod x, int rankX, V1Pod y, int rankY, DateTimeOffset now) =>
        Compare(x, rankX, y, rankY, now, ranked: true);

    /// <summary>
    /// For each of <paramref name="pods"/>, how many active pods of <paramref name="related"/> run on its node, as
    /// the ReplicaSet controller's getPodsRankedByRelatedPodsOnSameNode (unassigned pods share the "" node).
    /// </summary>
    public static int[] RanksBySharedNode(IReadOnlyList<V1Pod> pods, IEnumerable<V1Pod> related)
    {
        var perNode = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pod in related)
        {
            if (!PodConditions.IsActive(pod)) continue;
            var node = pod.Spec?.NodeName ?? string.Empty;
            perNode[node] = perNode.GetValueOrDefault(node) + 1;
        }

        var ranks = new int[pods.Count];
        for (var i = 0; i < pods.Count; i++)
        {
            ranks[i] = perNode.GetValueOrDefault(pods[i].Spec?.NodeName ?? string.Empty);
        }

        return ranks;
    }

    /// <summary>
    /// The <paramref name="count"/> least valuable of <paramref name="pods"/> in ranked order (ranks from
    /// <paramref name="related"/>), as the ReplicaSet controller's getPodsToDelete; ties keep the input order.
    /// </summary>
    public static List<V1Pod> LeastValuable(IReadOnlyList<V1Pod> pods, IEnumerable<V1Pod> related, int count, DateTimeOffset now)
    {
        count = Math.Clamp(count, 0, pods.Count);
        if (count == pods.Count) return [.. pods];
        var ranks = RanksBySharedNode(pods, related);
        var order = new int[pods.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;

        // Sorting indices with the index as the last tie-break makes the sort stable and the result deterministic.
        Array.Sort(order, (a, b) =>
        {
            var result = CompareWithRanks(pods[a], ranks[a], pods[b], ranks[b], now);
            return result != 0 ? result : a.CompareTo(b);
        });
        var result = new List<V1Pod>(count);
        for (var i = 0; i < count; i++) result.Add(pods[order[i]]);
        return result;
    }

    /// <summary>Reads the deletion cost annotation; missing or invalid (not an int32) counts as 0, as upstream.</summary>
    public static int DeletionCost(V1Pod pod) =>
        pod.Metadata?.Annotations is { } annotations
        && annotations.TryGetValue(DeletionCostAnnotation, out var text)
        && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cost)
            ? cost
            : 0;

    private static int Compare(V1Pod x, int rankX, V1Pod y, int rankY, DateTimeOffset? now, bool ranked)
    {
        // 1. Unassigned < assigned.
        var nodeX = x.Spec?.NodeName ?? string.Empty;
        var nodeY = y.Spec?.NodeName ?? string.Empty;
        if ((nodeX.Length == 0) != (nodeY.Length == 0)) return nodeX.Length == 0 ? -1 : 1;

        // 2. Pending < Unknown < Running.
        var phase = PhaseOrdinal(x).CompareTo(PhaseOrdinal(y));
        if (phase != 0) return phase;

        // 3. Not ready < ready.
        var readyX = PodConditions.IsReady(x);
        var readyY = PodConditions.IsReady(y);
        if (readyX != readyY) return readyX ? 1 : -1;

        if (ranked)
        {
            // 4. Lower deletion cost < higher.
            var cost = DeletionCost(x).CompareTo(DeletionCost(y));
            if (cost != 0) return cost;

            // 5. Doubled up (higher rank) < not doubled up.
            if (rankX != rankY) return rankX > rankY ? -1 : 1;
        }

        // 6. Ready for less time < more time.
        if (readyX && readyY)
        {
            var times = CompareTimes(ReadySince(x), ReadySince(y), now, x, y);
            if (times != 0) return times;
        }

        // 7. Higher restart counts < lower.
        var (regularX, sidecarX) = MaxRestarts(x);
        var (regularY, sidecarY) = MaxRestarts(y);
        if (regularX != regularY) return regularX > regularY ? -1 : 1;
        if (sidecarX != sidecarY) return sidecarX > sidecarY ? -1 : 1;

        // 8. Newer < older (missing timestamp first).
        return CompareTimes(Utc(x.Metadata?.CreationTimestamp), Utc(y.Metadata?.CreationTimestamp), now, x, y);
    }

    /// <summary>
    /// Later (younger) first, a missing time before any; with <paramref name="now"/> times are compared by the
    /// log2 bucket of their age and equal buckets fall back to the UID, as upstream's logarithmicRankDiff.
    /// </summary>
    private static int CompareTimes(DateTimeOffset? x, DateTimeOffset? y, DateTimeOffset? now, V1Pod podX, V1Pod podY)
    {
        if (x == y) return 0;
        if (x is null || y is null) return x is null ? -1 : 1;
        if (now is { } anchor)
        {
            var diff = LogBucket(anchor - x.Value).CompareTo(LogBucket(anchor - y.Value));
            if (diff != 0) return diff;
            return string.CompareOrdinal(podX.Metadata?.Uid, podY.Metadata?.Uid);
        }

        return x.Value > y.Value ? -1 : 1;
    }

    /// <summary>int64(log2(age in nanoseconds)), or -1 for an age that is not positive.</summary>
    private static long LogBucket(TimeSpan age) => age > TimeSpan.Zero ? (long)Math.Log2(age.Ticks * 100.0) : -1;

    private static int PhaseOrdinal(V1Pod pod) => pod.Status?.Phase switch
    {
        "Unknown" => 1,
        "Running" => 2,
        _ => 0, // Pending, and (as a missing map entry upstream) anything else
    };

    private static DateTimeOffset? ReadySince(V1Pod pod) => Utc(PodConditions.Get(pod, "Ready")?.LastTransitionTime);

    private static DateTimeOffset? Utc(DateTime? time) =>
        time is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;

    /// <summary>Highest restart count of regular containers, and of sidecars (init containers that restart Always).</summary>
    private static (int Regular, int Sidecar) MaxRestarts(V1Pod pod)
    {
        var regular = 0;
        if (pod.Status?.ContainerStatuses is { } statuses)
        {
            foreach (var status in statuses) regular = Math.Max(regular, status.RestartCount);
        }

        var sidecar = 0;
        if (pod.Status?.InitContainerStatuses is { Count: > 0 } initStatuses && pod.Spec?.InitContainers is { } inits)
        {
            foreach (var status in initStatuses)
            {
                foreach (var container in inits)
                {
                    if (container.Name == status.Name && container.RestartPolicy == "Always")
                    {
                        sidecar = Math.Max(sidecar, status.RestartCount);
                        break;
                    }
                }
            }
        }

        return (regular, sidecar);
    }
}
