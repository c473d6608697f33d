using k8s.Models;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.StatefulSet;

/// <summary>
/// A StatefulSet's pods sorted out for one sync, as the first half of updateStatefulSet: the replica slots
/// (ordinals start..start+replicas-1; null where no pod exists), the condemned pods (ordinals beyond), the first
/// unhealthy pod, and the status counts, which the sync adjusts as it creates and deletes.
/// </summary>
internal sealed class StatefulSetStep
{
    private readonly V1StatefulSet _set;
    private readonly int _minReadySeconds;
    private readonly DateTimeOffset _now;

    public StatefulSetStep(V1StatefulSet set, IReadOnlyList<V1Pod> pods, string currentRevision, string updateRevision, DateTimeOffset now)
    {
        _set = set;
        _now = now;
        _minReadySeconds = set.Spec.MinReadySeconds ?? 0;
        CurrentRevision = currentRevision;
        UpdateRevision = updateRevision;
        var start = StatefulPodIdentity.StartOrdinal(set);
        Replicas = new V1Pod?[Math.Max(set.Spec.Replicas ?? 1, 0)];
        Status = new V1StatefulSetStatus { CurrentRevision = currentRevision, UpdateRevision = updateRevision };
        var condemned = new List<(int Ordinal, V1Pod Pod)>();
        foreach (var pod in pods)
        {
            var ordinal = StatefulPodIdentity.Ordinal(set.Metadata.Name, pod.Metadata.Name);
            if (ordinal < 0) continue;
            Count(pod);
            if (ordinal >= start && ordinal - start < Replicas.Length) Replicas[ordinal - start] = pod;
            else condemned.Add((ordinal, pod));
        }

        condemned.Sort(static (a, b) => a.Ordinal.CompareTo(b.Ordinal));
        Condemned = condemned.ConvertAll(static c => c.Pod);
        FirstUnhealthy = Array.Find(Replicas, p => p is not null && !IsHealthy(p)) ?? Condemned.Find(p => !IsHealthy(p));
    }

    public string CurrentRevision { get; }

    public string UpdateRevision { get; }

    public V1Pod?[] Replicas { get; }

    /// <summary>Pods whose ordinal is outside the wanted range, lowest ordinal first.</summary>
    public List<V1Pod> Condemned { get; }

    public V1Pod? FirstUnhealthy { get; }

    public V1StatefulSetStatus Status { get; }

    public bool IsRunningAndReady(V1Pod pod) => pod.Status?.Phase == "Running" && PodConditions.IsReady(pod);

    public bool IsAvailable(V1Pod pod) => IsRunningAndReady(pod) && PodConditions.IsAvailable(pod, _minReadySeconds, _now);

    /// <summary>Running, ready and not being deleted.</summary>
    public bool IsHealthy(V1Pod pod) => IsRunningAndReady(pod) && pod.Metadata.DeletionTimestamp is null;

    /// <summary>Adds a pod (found or just created) to the status counts.</summary>
    public void Count(V1Pod pod)
    {
        Status.Replicas++;
        if (IsRunningAndReady(pod))
        {
            Status.ReadyReplicas = (Status.ReadyReplicas ?? 0) + 1;
            if (IsAvailable(pod)) Status.AvailableReplicas = (Status.AvailableReplicas ?? 0) + 1;
        }

        if (pod.Metadata.DeletionTimestamp is null) CountRevision(pod, 1);
    }

    /// <summary>Takes a pod that is being deleted out of the revision counts.</summary>
    public void Forget(V1Pod pod) => CountRevision(pod, -1);

    /// <summary>
    /// The pod for replica slot <paramref name="index"/>, as newVersionedStatefulSetPod: ordinals below the partition
    /// keep the current revision's template while a rolling update is partitioned; all others get the update.
    /// </summary>
    public V1Pod NewPod(int index, RevisionTemplates revisions)
    {
        var ordinal = StatefulPodIdentity.StartOrdinal(_set) + index;
        var strategy = _set.Spec.UpdateStrategy;
        if (strategy?.Type != "OnDelete" && CurrentRevision != UpdateRevision)
        {
            var keepCurrent = strategy?.RollingUpdate is { } rolling
                ? index < (rolling.Partition ?? 0)
                : index < (_set.Status?.CurrentReplicas ?? 0);
            if (keepCurrent && revisions.Get(_set.Metadata.Uid, CurrentRevision) is { } currentTemplate)
            {
                return StatefulPodIdentity.NewPod(_set, currentTemplate, CurrentRevision, ordinal);
            }
        }

        return StatefulPodIdentity.NewPod(_set, _set.Spec.Template, UpdateRevision, ordinal);
    }

    private void CountRevision(V1Pod pod, int delta)
    {
        var revision = StatefulPodIdentity.Revision(pod);
        if (revision == CurrentRevision) Status.CurrentReplicas = (Status.CurrentReplicas ?? 0) + delta;
        if (revision == UpdateRevision) Status.UpdatedReplicas = (Status.UpdatedReplicas ?? 0) + delta;
    }
}
