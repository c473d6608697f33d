using k8s;
using k8s.Models;

namespace Navarch.E2E.ControllerManager;

/// <summary>
/// What the controllers decide in a namespace, as comparable text: the alive (not Terminating) pods by name and
/// each ReplicaSet's desired replicas. Pod status (what the kubelet writes) is left out on purpose.
/// </summary>
internal sealed record WorkloadState(string Pods, string ReplicaSets, int AlivePods)
{
    public static async Task<WorkloadState> ReadAsync(IKubernetes client, string ns)
    {
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns);
        var alive = pods.Items.Where(p => p.Metadata.DeletionTimestamp is null).Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToList();
        var sets = await client.AppsV1.ListNamespacedReplicaSetAsync(ns);
        var replicas = sets.Items
            .OrderBy(r => r.Metadata.Name, StringComparer.Ordinal)
            .Select(r => $"{r.Metadata.Name}={r.Spec.Replicas}");
        return new WorkloadState(string.Join(' ', alive), string.Join(' ', replicas), alive.Count);
    }

    public override string ToString() => $"{AlivePods} alive pods [{Pods}]; replica sets [{ReplicaSets}]";
}
