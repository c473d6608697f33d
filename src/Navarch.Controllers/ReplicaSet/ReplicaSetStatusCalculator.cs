using k8s.Models;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.ReplicaSet;

/// <summary>The status a ReplicaSet should report for the pods it owns, as the ReplicaSet controller's calculateStatus.</summary>
internal static class ReplicaSetStatusCalculator
{
    public const string ReplicaFailure = "ReplicaFailure";

    /// <summary>
    /// Counts replicas, fully labeled, ready and available pods and keeps the ReplicaFailure condition in step with
    /// <paramref name="manageError"/>: added (FailedCreate or FailedDelete) when creating or deleting failed and it is
    /// absent, removed when managing succeeded. Other fields (observedGeneration, other conditions) are carried over.
    /// </summary>
    public static V1ReplicaSetStatus Calculate(V1ReplicaSet rs, IReadOnlyList<V1Pod> pods, Exception? manageError, DateTimeOffset now)
    {
        var old = rs.Status ?? new V1ReplicaSetStatus();
        var conditions = old.Conditions is { } existing ? new List<V1ReplicaSetCondition>(existing) : null;
        var failure = conditions?.Find(c => c.Type == ReplicaFailure);
        if (manageError is not null && failure is null)
        {
            var diff = pods.Count - (rs.Spec?.Replicas ?? 1);
            var reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : string.Empty;
            (conditions ??= []).Add(new V1ReplicaSetCondition
            {
                Type = ReplicaFailure,
                Status = "True",
                Reason = reason,
                Message = ApiErrors.Message(manageError),
                LastTransitionTime = now.UtcDateTime,
            });
        }
        else if (manageError is null && failure is not null)
        {
            conditions!.Remove(failure); // failure was found in conditions, so the list exists
        }

        var templateLabels = rs.Spec?.Template?.Metadata?.Labels;
        var minReadySeconds = rs.Spec?.MinReadySeconds ?? 0;
        int fullyLabeled = 0, ready = 0, available = 0;
        foreach (var pod in pods)
        {
            if (HasAll(pod.Metadata?.Labels, templateLabels)) fullyLabeled++;
            if (!PodConditions.IsReady(pod)) continue;
            ready++;
            if (PodConditions.IsAvailable(pod, minReadySeconds, now)) available++;
        }

        return new V1ReplicaSetStatus
        {
            Replicas = pods.Count,
            FullyLabeledReplicas = fullyLabeled,
            ReadyReplicas = ready,
            AvailableReplicas = available,
            ObservedGeneration = old.ObservedGeneration,
            Conditions = conditions is { Count: > 0 } ? conditions : null,
        };
    }

    /// <summary>
    /// True when writing <paramref name="desired"/> (with observedGeneration set to <paramref name="generation"/>)
    /// would change nothing, as updateReplicaSetStatus' early return. Counts of zero and absent are the same on the wire.
    /// </summary>
    public static bool IsCurrent(V1ReplicaSetStatus? current, V1ReplicaSetStatus desired, long? generation)
    {
        current ??= new V1ReplicaSetStatus();
        return current.Replicas == desired.Replicas
            && (current.FullyLabeledReplicas ?? 0) == (desired.FullyLabeledReplicas ?? 0)
            && (current.ReadyReplicas ?? 0) == (desired.ReadyReplicas ?? 0)
            && (current.AvailableReplicas ?? 0) == (desired.AvailableReplicas ?? 0)
            && (current.ObservedGeneration ?? 0) == (generation ?? 0)
            && SameConditions(current.Conditions, desired.Conditions);
    }

    /// <summary>
    /// How long until the next of <paramref name="pods"/> that is Ready but not yet available becomes available, so the
    /// controller can sync again then and report it on time; null when none is waiting.
    /// </summary>
    public static TimeSpan? UntilNextAvailable(IReadOnlyList<V1Pod> pods, int minReadySeconds, DateTimeOffset now)
    {
        if (minReadySeconds <= 0) return null;
        TimeSpan? next = null;
        foreach (var pod in pods)
        {
            var ready = PodConditions.Get(pod, "Ready");
            if (ready?.Status != "True" || ready.LastTransitionTime is not { } since) continue;
            var at = new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc)).AddSeconds(minReadySeconds);
            if (at <= now) continue;
            var wait = at - now;
            if (next is null || wait < next) next = wait;
        }

        return next;
    }

    private static bool HasAll(IDictionary<string, string>? labels, IDictionary<string, string>? required)
    {
        if (required is null || required.Count == 0) return true;
        if (labels is null) return false;
        foreach (var (key, value) in required)
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value) return false;
        }

        return true;
    }

    private static bool SameConditions(IList<V1ReplicaSetCondition>? a, IList<V1ReplicaSetCondition>? b)
    {
        var countA = a?.Count ?? 0;
        if (countA != (b?.Count ?? 0)) return false;
        for (var i = 0; i < countA; i++)
        {
            var x = a![i]; // countA > 0 means a is not null
            var y = b![i]; // same count
            if (x.Type != y.Type || x.Status != y.Status || x.Reason != y.Reason || x.Message != y.Message
                || x.LastTransitionTime != y.LastTransitionTime)
            {
                return false;
            }
        }

        return true;
    }
}
