using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>The rollout strategies and the progress bookkeeping (rolling.go, recreate.go, progress.go).</summary>
internal sealed partial class DeploymentSync
{
    private async Task RolloutRollingAsync(List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (created, oldRss) = await GetAllReplicaSetsAndSyncRevisionAsync(rsList, true, ct).ConfigureAwait(false);
        // With createIfMissing the new ReplicaSet exists (creation failures throw).
        var newRs = created!;
        var all = With(oldRss, newRs);
        if (await ReconcileNewReplicaSetAsync(all, newRs, ct).ConfigureAwait(false))
        {
            await SyncRolloutStatusAsync(all, newRs, ct).ConfigureAwait(false);
            return;
        }

        var activeOld = oldRss.Where(rs => RolloutMath.Replicas(rs) > 0).ToList();
        if (await ReconcileOldReplicaSetsAsync(all, activeOld, newRs, ct).ConfigureAwait(false))
        {
            await SyncRolloutStatusAsync(all, newRs, ct).ConfigureAwait(false);
            return;
        }

        if (_d.Status is { } status && DeploymentConditions.Complete(_d, status)) await CleanupAsync(oldRss, ct).ConfigureAwait(false);
        await SyncRolloutStatusAsync(all, newRs, ct).ConfigureAwait(false);
    }

    private async Task<bool> ReconcileNewReplicaSetAsync(List<V1ReplicaSet> all, V1ReplicaSet newRs, CancellationToken ct)
    {
        var replicas = RolloutMath.Replicas(_d);
        if (RolloutMath.Replicas(newRs) == replicas) return false;
        if (RolloutMath.Replicas(newRs) > replicas) return (await ScaleAndRecordAsync(newRs, replicas, ct).ConfigureAwait(false)).Scaled;
        var newCount = RolloutMath.NewReplicaSetReplicas(_d, all, newRs);
        return (await ScaleAndRecordAsync(newRs, newCount, ct).ConfigureAwait(false)).Scaled;
    }

    private async Task<bool> ReconcileOldReplicaSetsAsync(List<V1ReplicaSet> all, List<V1ReplicaSet> oldRss, V1ReplicaSet newRs, CancellationToken ct)
    {
        if (RolloutMath.SpecReplicas(oldRss) == 0) return false;
        var allPods = RolloutMath.SpecReplicas(all);
        var minAvailable = RolloutMath.Replicas(_d) - RolloutMath.MaxUnavailable(_d);
        var newUnavailable = RolloutMath.Replicas(newRs) - (newRs.Status?.AvailableReplicas ?? 0);
        // Old pods may go only while the available ones stay at minAvailable, counting new pods not yet available as unavailable.
        var maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) return false;

        // Unhealthy old replicas go first: removing them costs no availability.
        var cleaned = await CleanupUnhealthyReplicasAsync(oldRss, maxScaledDown, ct).ConfigureAwait(false);
        var scaledDown = await ScaleDownOldForRollingUpdateAsync(With(oldRss, newRs), oldRss, ct).ConfigureAwait(false);
        return cleaned + scaledDown > 0;
    }

    private async Task<int> CleanupUnhealthyReplicasAsync(List<V1ReplicaSet> oldRss, int maxCleanup, CancellationToken ct)
    {
        oldRss.Sort(ReplicaSetOrder.ByCreation);
        var total = 0;
        for (var i = 0; i < oldRss.Count && total < maxCleanup; i++)
        {
            var rs = oldRss[i];
            var replicas = RolloutMath.Replicas(rs);
            var available = rs.Status?.AvailableReplicas ?? 0;
            if (replicas == 0 || replicas == available) continue;
            var count = Math.Min(maxCleanup - total, replicas - available);
            if (count < 0)
            {
                // The cached status still counts more available pods than the spec now asks for (a scale-down we made
                // is not observed yet): "cleaning up" would scale the old ReplicaSet back up. As upstream, refuse and retry.
                throw new InvalidOperationException(
                    $"when cleaning up unhealthy replicas, got invalid request to scale down {rs.Metadata.NamespaceProperty}/{rs.Metadata.Name} {replicas} -> {replicas - count}");
            }

            var (_, updated) = await ScaleAndRecordAsync(rs, replicas - count, ct).ConfigureAwait(false);
            total += count;
            oldRss[i] = updated;
        }

        return total;
    }

    private async Task<int> ScaleDownOldForRollingUpdateAsync(List<V1ReplicaSet> all, List<V1ReplicaSet> oldRss, CancellationToken ct)
    {
        var minAvailable = RolloutMath.Replicas(_d) - RolloutMath.MaxUnavailable(_d);
        var available = RolloutMath.AvailableReplicas(all);
        if (available <= minAvailable) return 0;
        oldRss.Sort(ReplicaSetOrder.ByCreation);
        var target = available - minAvailable;
        var total = 0;
        foreach (var rs in oldRss)
        {
            if (total >= target) break;
            var replicas = RolloutMath.Replicas(rs);
            if (replicas == 0) continue;
            var count = Math.Min(replicas, target - total);
            await ScaleAndRecordAsync(rs, replicas - count, ct).ConfigureAwait(false);
            total += count;
        }

        return total;
    }

    private async Task RolloutRecreateAsync(List<V1ReplicaSet> rsList, Dictionary<string, List<V1Pod>> podMap, CancellationToken ct)
    {
        var (newRs, oldRss) = await GetAllReplicaSetsAndSyncRevisionAsync(rsList, false, ct).ConfigureAwait(false);
        var all = With(oldRss, newRs);
        var scaledDown = false;
        foreach (var rs in oldRss.Where(rs => RolloutMath.Replicas(rs) > 0).ToList())
        {
            if ((await ScaleAndRecordAsync(rs, 0, ct).ConfigureAwait(false)).Scaled) scaledDown = true;
        }

        // Recreate: the new pods start only once every old pod is gone.
        if (scaledDown || OldPodsRunning(newRs, oldRss, podMap))
        {
            await SyncRolloutStatusAsync(all, newRs, ct).ConfigureAwait(false);
            return;
        }

        if (newRs is null)
        {
            (newRs, oldRss) = await GetAllReplicaSetsAndSyncRevisionAsync(rsList, true, ct).ConfigureAwait(false);
            all = With(oldRss, newRs);
        }

        // With createIfMissing the new ReplicaSet exists (creation failures throw).
        await ScaleAndRecordAsync(newRs!, RolloutMath.Replicas(_d), ct).ConfigureAwait(false);
        if (_d.Status is { } status && DeploymentConditions.Complete(_d, status)) await CleanupAsync(oldRss, ct).ConfigureAwait(false);
        await SyncRolloutStatusAsync(all, newRs, ct).ConfigureAwait(false);
    }

    private static bool OldPodsRunning(V1ReplicaSet? newRs, List<V1ReplicaSet> oldRss, Dictionary<string, List<V1Pod>> podMap)
    {
        if (RolloutMath.ActualReplicas(oldRss) > 0) return true;
        foreach (var (uid, pods) in podMap)
        {
            if (newRs is not null && newRs.Metadata.Uid == uid) continue;
            // Terminating pods still count: their containers may run until the kubelet confirms them gone.
            if (pods.Any(pod => pod.Status?.Phase is not ("Failed" or "Succeeded"))) return true;
        }

        return false;
    }

    /// <summary>syncRolloutStatus: status plus the Progressing condition (complete, progressing or timed out) and replica failures.</summary>
    private async Task SyncRolloutStatusAsync(List<V1ReplicaSet> all, V1ReplicaSet? newRs, CancellationToken ct)
    {
        var status = CalculateStatus(all, newRs);
        var hasDeadline = DeploymentConditions.HasProgressDeadline(_d);
        if (!hasDeadline) DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
        var current = DeploymentConditions.Get(_d.Status, DeploymentConditions.Progressing);
        var alreadyComplete = status.Replicas == status.UpdatedReplicas && current?.Reason == DeploymentConditions.NewReplicaSetAvailable;
        var now = time.GetUtcNow();
        if (hasDeadline && !alreadyComplete)
        {
            if (DeploymentConditions.Complete(_d, status))
            {
                var message = newRs is null ? $"Deployment \"{_d.Metadata.Name}\" has successfully progressed." : $"ReplicaSet \"{newRs.Metadata.Name}\" has successfully progressed.";
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.NewReplicaSetAvailable, message, now));
            }
            else if (DeploymentConditions.IsProgressing(_d, status))
            {
                var message = newRs is null ? $"Deployment \"{_d.Metadata.Name}\" is progressing." : $"ReplicaSet \"{newRs.Metadata.Name}\" is progressing.";
                var condition = DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.ReplicaSetUpdated, message, now);
                // Progress refreshes lastUpdateTime (the deadline counts from it) but keeps the transition time.
                if (current is not null)
                {
                    if (current.Status == "True") condition.LastTransitionTime = current.LastTransitionTime;
                    DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
                }

                DeploymentConditions.Set(status, condition);
            }
            else if (DeploymentConditions.IsTimedOut(_d, status, now))
            {
                var message = newRs is null ? $"Deployment \"{_d.Metadata.Name}\" has timed out progressing." : $"ReplicaSet \"{newRs.Metadata.Name}\" has timed out progressing.";
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "False", DeploymentConditions.TimedOut, message, now));
            }
        }

        if (ReplicaFailure(all, newRs) is { } failure) DeploymentConditions.Set(status, failure);
        else DeploymentConditions.Remove(status, DeploymentConditions.ReplicaFailure);

        if (SameStatus(_d.Status, status))
        {
            RequeueStuck(status, now);
            return;
        }

        _d.Status = status;
        await UpdateStatusAsync(ct).ConfigureAwait(false);
    }

    /// <summary>requeueStuckDeployment: look again when the progress deadline would pass, since nothing else may wake us.</summary>
    private void RequeueStuck(V1DeploymentStatus status, DateTimeOffset now)
    {
        var current = DeploymentConditions.Get(_d.Status, DeploymentConditions.Progressing);
        if (!DeploymentConditions.HasProgressDeadline(_d) || current?.LastUpdateTime is not { } updated) return;
        if (DeploymentConditions.Complete(_d, status) || current.Reason == DeploymentConditions.TimedOut) return;
        // HasProgressDeadline checked it is set.
        var after = DeploymentConditions.Utc(updated).AddSeconds(_d.Spec.ProgressDeadlineSeconds!.Value) - now;
        owner.EnqueueAfter(_d, after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after + TimeSpan.FromSeconds(1));
    }

    /// <summary>getReplicaFailures: the new ReplicaSet's ReplicaFailure condition first, else any old one's.</summary>
    private static V1DeploymentCondition? ReplicaFailure(List<V1ReplicaSet> all, V1ReplicaSet? newRs)
    {
        var sources = newRs is null ? all : [newRs, .. all];
        foreach (var rs in sources)
        {
            if (rs.Status?.Conditions?.FirstOrDefault(c => c.Type == DeploymentConditions.ReplicaFailure) is { } c)
            {
                return new V1DeploymentCondition
                {
                    Type = DeploymentConditions.ReplicaFailure,
                    Status = c.Status,
                    Reason = c.Reason,
                    Message = c.Message,
                    LastTransitionTime = c.LastTransitionTime,
                    LastUpdateTime = c.LastTransitionTime,
                };
            }
        }

        return null;
    }
}
