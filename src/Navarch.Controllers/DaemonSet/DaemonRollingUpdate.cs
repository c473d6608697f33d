using System.Globalization;
using k8s.Models;

namespace Navarch.Controllers.DaemonSet;

/// <summary>
/// The RollingUpdate step of a DaemonSet with maxSurge 0, as the DaemonSet controller's rollingUpdate: old pods
/// that are unavailable anyway are always replaced; available old pods are deleted only while fewer than
/// maxUnavailable daemon pods are unavailable. New pods are created by the next sync once the old ones are gone.
/// </summary>
internal static class DaemonRollingUpdate
{
    /// <summary>maxUnavailable as a number of nodes (percentages of the desired count round up); 1 when it comes to 0 with no surge.</summary>
    public static int MaxUnavailable(V1DaemonSet ds, int desiredNumberScheduled)
    {
        var rolling = ds.Spec?.UpdateStrategy?.RollingUpdate;
        var maxUnavailable = Scaled(rolling?.MaxUnavailable?.Value, desiredNumberScheduled, 1);
        var maxSurge = Scaled(rolling?.MaxSurge?.Value, desiredNumberScheduled, 0);
        // As updatedDesiredNodeCounts: an update must be able to make progress.
        return maxUnavailable == 0 && maxSurge == 0 ? 1 : maxUnavailable;
    }

    /// <summary>As intstr.GetScaledValueFromIntOrPercent with rounding up.</summary>
    public static int Scaled(string? value, int total, int fallback)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (value.EndsWith('%'))
        {
            var percent = int.Parse(value.AsSpan(0, value.Length - 1), NumberStyles.Integer, CultureInfo.InvariantCulture);
            return (int)Math.Ceiling(percent * (double)total / 100);
        }

        return int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The old pods to delete now. <paramref name="podsByNode"/> holds the DaemonSet's pods grouped by target node
    /// (nodes without pods are the manage step's business and do not count).
    /// </summary>
    public static List<V1Pod> PodsToDelete(
        IEnumerable<KeyValuePair<string, List<V1Pod>>> podsByNode,
        Func<V1Pod, bool> isUpdated,
        Func<V1Pod, bool> isAvailable,
        int maxUnavailable)
    {
        var unavailable = 0;
        var replacements = new List<V1Pod>();
        var candidates = new List<V1Pod>();
        // Node name order makes the choice of which nodes update first predictable.
        foreach (var (_, pods) in podsByNode.OrderBy(static p => p.Key, StringComparer.Ordinal))
        {
            V1Pod? newPod = null;
            V1Pod? oldPod = null;
            var duplicate = false;
            foreach (var pod in pods)
            {
                if (pod.Metadata.DeletionTimestamp is not null) continue;
                if (isUpdated(pod))
                {
                    duplicate |= newPod is not null;
                    newPod = pod;
                }
                else
                {
                    duplicate |= oldPod is not null;
                    oldPod = pod;
                }
            }

            if (duplicate || (newPod is null) == (oldPod is null))
            {
                // Duplicates, nothing running (terminating only) or old and new side by side: the manage step sorts
                // the node out; until then it counts as unavailable.
                unavailable++;
            }
            else if (newPod is not null)
            {
                if (!isAvailable(newPod)) unavailable++;
            }
            else if (!isAvailable(oldPod!))
            {
                // An old pod that is not serving anyway is replaced at no cost to availability.
                replacements.Add(oldPod!);
            }
            else
            {
                candidates.Add(oldPod!);
            }
        }

        var budget = Math.Clamp(maxUnavailable - unavailable, 0, candidates.Count);
        replacements.AddRange(candidates.Take(budget));
        return replacements;
    }
}
