using k8s.Models;
using Navarch.Api.Labels;

namespace Navarch.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// The selector default constraints use for a pod. kube-scheduler ANDs the selectors of the Services,
/// ReplicationControllers, ReplicaSets and StatefulSets that select the pod; we have no such listers, so we use
/// the labels the pod shares with its siblings: only for a pod whose controller is a ReplicaSet, StatefulSet or
/// ReplicationController, and without the labels its controller adds per pod (which no sibling shares).
/// Services are not considered.
/// </summary>
internal static class DefaultSelector
{
    private static readonly HashSet<string> PerPodLabels = new(StringComparer.Ordinal)
    {
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
        "controller-revision-hash",
    };

    /// <summary>The selector, or null when the pod has no such controller or no labels (no default constraints then).</summary>
    public static LabelSelector? For(V1Pod pod)
    {
        var owners = pod.Metadata?.OwnerReferences;
        var controlled = false;
        if (owners is not null)
        {
            foreach (var owner in owners)
            {
                if (owner.Controller == true && owner.Kind is "ReplicaSet" or "StatefulSet" or "ReplicationController")
                {
                    controlled = true;
                    break;
                }
            }
        }

        if (!controlled || pod.Metadata?.Labels is not { Count: > 0 } labels) return null;
        var shared = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels)
        {
            if (!PerPodLabels.Contains(key)) shared[key] = value;
        }

        return shared.Count == 0 ? null : LabelSelector.FromSet(shared);
    }
}
