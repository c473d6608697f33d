using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api;
using Navarch.Api.Labels;
using Navarch.Client.Events;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// One sync of one Deployment, as the deployment controller's syncDeployment: claims its ReplicaSets, then
/// scales, rolls out or only refreshes status. Holds the latest copy of the Deployment, since status writes
/// during the sync return a newer resourceVersion the next write must carry.
/// </summary>
internal sealed partial class DeploymentSync(
    DeploymentController owner,
    IKubernetes client,
    IEventRecorder recorder,
    TimeProvider time,
    ILogger logger,
    V1Deployment deployment)
{
    private V1Deployment _d = deployment;

    private string Namespace => _d.Metadata.NamespaceProperty;

    public async Task RunAsync(IReadOnlyList<V1ReplicaSet> namespaceSets, Func<IReadOnlyList<V1Pod>> listPods, CancellationToken ct)
    {
        if (_d.Spec?.Selector is not { } selectorSpec || LabelSelector.FromLabelSelector(selectorSpec).IsEmpty)
        {
            recorder.Event(_d, EventTypes.Warning, "SelectorOverride", "This deployment is selecting all pods. A non-empty selector is required.");
            if ((_d.Status?.ObservedGeneration ?? 0) < (_d.Metadata.Generation ?? 0))
            {
                _d.Status ??= new V1DeploymentStatus();
                _d.Status.ObservedGeneration = _d.Metadata.Generation;
                await UpdateStatusAsync(ct).ConfigureAwait(false);
            }

            return;
        }

        var rsList = await ClaimReplicaSetsAsync(namespaceSets, LabelSelector.FromLabelSelector(selectorSpec), ct).ConfigureAwait(false);
        if (_d.Metadata.DeletionTimestamp is not null)
        {
            var (newRs, oldRss) = await GetAllReplicaSetsAndSyncRevisionAsync(rsList, false, ct).ConfigureAwait(false);
            await SyncDeploymentStatusAsync(With(oldRss, newRs), newRs, ct).ConfigureAwait(false);
            return;
        }

        await CheckPausedConditionsAsync(ct).ConfigureAwait(false);
        if (_d.Spec.Paused == true || await IsScalingEventAsync(rsList, ct).ConfigureAwait(false))
        {
            await SyncScaleAsync(rsList, ct).ConfigureAwait(false);
            return;
        }

        if (RolloutMath.IsRollingUpdate(_d))
        {
            await RolloutRollingAsync(rsList, ct).ConfigureAwait(false);
        }
        else
        {
            await RolloutRecreateAsync(rsList, PodsByReplicaSet(listPods(), rsList), ct).ConfigureAwait(false);
        }
    }

    // ---- claiming ReplicaSets (ControllerRefManager.ClaimReplicaSets) ----

    private async Task<List<V1ReplicaSet>> ClaimReplicaSetsAsync(IReadOnlyList<V1ReplicaSet> candidates, LabelSelector selector, CancellationToken ct)
    {
        var claimed = new List<V1ReplicaSet>();
        bool? canAdopt = null;
        foreach (var rs in candidates)
        {
            var reference = OwnerReferences.ControllerOf(rs.Metadata);
            if (reference is not null)
            {
                if (reference.Uid != _d.Metadata.Uid) continue;
                if (selector.Matches(rs.Metadata))
                {
                    claimed.Add(rs);
                }
                else if (_d.Metadata.DeletionTimestamp is null)
                {
                    await ReleaseAsync(rs, ct).ConfigureAwait(false);
                }

                continue;
            }

            if (_d.Metadata.DeletionTimestamp is not null || rs.Metadata.DeletionTimestamp is not null || !selector.Matches(rs.Metadata)) continue;
            // As RecheckDeletionTimestamp: adopt only if a fresh read shows the same, live Deployment.
            canAdopt ??= await CanAdoptAsync(ct).ConfigureAwait(false);
            if (canAdopt != true) continue;
            if (await AdoptAsync(rs, ct).ConfigureAwait(false) is { } adopted) claimed.Add(adopted);
        }

        return claimed;
    }

    private async Task<bool> CanAdoptAsync(CancellationToken ct)
    {
        try
        {
            var fresh = await client.AppsV1.ReadNamespacedDeploymentAsync(_d.Metadata.Name, Namespace, cancellationToken: ct).ConfigureAwait(false);
            return fresh.Metadata.Uid == _d.Metadata.Uid && fresh.Metadata.DeletionTimestamp is null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task<V1ReplicaSet?> AdoptAsync(V1ReplicaSet rs, CancellationToken ct)
    {
        var references = new JsonArray();
        foreach (var existing in rs.Metadata.OwnerReferences ?? [])
        {
            references.Add(JsonNode.Parse(KubernetesJson.Serialize(existing)));
        }

        references.Add(JsonNode.Parse(KubernetesJson.Serialize(OwnerReferences.ControllerRef(_d, "apps/v1", "Deployment"))));
        return await PatchOwnersAsync(rs, references, ct).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(V1ReplicaSet rs, CancellationToken ct)
    {
        var references = new JsonArray();
        foreach (var existing in rs.Metadata.OwnerReferences ?? [])
        {
            if (existing.Uid != _d.Metadata.Uid) references.Add(JsonNode.Parse(KubernetesJson.Serialize(existing)));
        }

        await PatchOwnersAsync(rs, references, ct).ConfigureAwait(false);
    }

    private async Task<V1ReplicaSet?> PatchOwnersAsync(V1ReplicaSet rs, JsonArray references, CancellationToken ct)
    {
        // resourceVersion makes the patch conditional, so a concurrent owner change is not overwritten.
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["ownerReferences"] = references.Count == 0 ? null : references,
                ["resourceVersion"] = rs.Metadata.ResourceVersion,
            },
        };
        try
        {
            return await client.AppsV1.PatchNamespacedReplicaSetAsync(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), rs.Metadata.Name, Namespace, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static Dictionary<string, List<V1Pod>> PodsByReplicaSet(IReadOnlyList<V1Pod> pods, List<V1ReplicaSet> rsList)
    {
        var map = new Dictionary<string, List<V1Pod>>(StringComparer.Ordinal);
        foreach (var rs in rsList) map[rs.Metadata.Uid] = [];
        foreach (var pod in pods)
        {
            if (OwnerReferences.ControllerOf(pod.Metadata) is { } reference && map.TryGetValue(reference.Uid, out var list)) list.Add(pod);
        }

        return map;
    }

    // ---- new and old ReplicaSets (sync.go) ----

    private static List<V1ReplicaSet> With(List<V1ReplicaSet> oldRss, V1ReplicaSet? newRs)
    {
        var all = new List<V1ReplicaSet>(oldRss);
        if (newRs is not null) all.Add(newRs);
        return all;
    }

    private V1ReplicaSet? FindNewReplicaSet(List<V1ReplicaSet> rsList)
    {
        var sorted = new List<V1ReplicaSet>(rsList);
        sorted.Sort(ReplicaSetOrder.ByCreation);
        // The oldest of several equal templates wins, so the choice is stable.
        return sorted.FirstOrDefault(rs => PodTemplateHash.EqualIgnoreHash(rs.Spec?.Template, _d.Spec.Template));
    }

    private async Task<(V1ReplicaSet? New, List<V1ReplicaSet> Old)> GetAllReplicaSetsAndSyncRevisionAsync(
        List<V1ReplicaSet> rsList, bool createIfMissing, CancellationToken ct)
    {
        var existing = FindNewReplicaSet(rsList);
        var oldRss = rsList.Where(rs => existing is null || rs.Metadata.Uid != existing.Metadata.Uid).ToList();
        var newRs = await GetNewReplicaSetAsync(existing, oldRss, createIfMissing, ct).ConfigureAwait(false);
        return (newRs, oldRss);
    }

    private async Task<V1ReplicaSet?> GetNewReplicaSetAsync(V1ReplicaSet? existing, List<V1ReplicaSet> oldRss, bool createIfMissing, CancellationToken ct)
    {
        var newRevision = DeploymentAnnotations.MaxRevision(oldRss) + 1;
        if (existing is not null)
        {
            var copy = DeploymentController.Copy(existing);
            var annotationsUpdated = DeploymentAnnotations.SetNewReplicaSetAnnotations(_d, copy, newRevision, exists: true);
            var minReadyChanged = (copy.Spec.MinReadySeconds ?? 0) != (_d.Spec.MinReadySeconds ?? 0);
            if (annotationsUpdated || minReadyChanged)
            {
                copy.Spec.MinReadySeconds = _d.Spec.MinReadySeconds;
                return await client.AppsV1.ReplaceNamespacedReplicaSetAsync(copy, copy.Metadata.Name, Namespace, cancellationToken: ct).ConfigureAwait(false);
            }

            var needsUpdate = DeploymentAnnotations.SetDeploymentRevision(_d, copy.Metadata.Annotations[DeploymentAnnotations.RevisionKey]);
            if (DeploymentConditions.HasProgressDeadline(_d) && DeploymentConditions.Get(_d.Status, DeploymentConditions.Progressing) is null)
            {
                _d.Status ??= new V1DeploymentStatus();
                DeploymentConditions.Set(_d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                    DeploymentConditions.FoundNewReplicaSet, $"Found new replica set \"{copy.Metadata.Name}\"", time.GetUtcNow()));
                needsUpdate = true;
            }

            if (needsUpdate) await UpdateStatusAsync(ct).ConfigureAwait(false);
            return copy;
        }

        if (!createIfMissing) return null;
        return await CreateNewReplicaSetAsync(oldRss, newRevision, ct).ConfigureAwait(false);
    }

    private async Task<V1ReplicaSet> CreateNewReplicaSetAsync(List<V1ReplicaSet> oldRss, long newRevision, CancellationToken ct)
    {
        var template = DeploymentController.Copy(_d.Spec.Template);
        var hash = PodTemplateHash.Compute(template, _d.Status?.CollisionCount);
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Labels = new Dictionary<string, string>(template.Metadata.Labels ?? new Dictionary<string, string>())
        {
            [PodTemplateHash.LabelKey] = hash,
        };
        var selector = DeploymentController.Copy(_d.Spec.Selector);
        selector.MatchLabels = new Dictionary<string, string>(selector.MatchLabels ?? new Dictionary<string, string>())
        {
            [PodTemplateHash.LabelKey] = hash,
        };
        var newRs = new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = _d.Metadata.Name + "-" + hash,
                NamespaceProperty = Namespace,
                OwnerReferences = [OwnerReferences.ControllerRef(_d, "apps/v1", "Deployment")],
                Labels = new Dictionary<string, string>(template.Metadata.Labels),
            },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 0,
                MinReadySeconds = _d.Spec.MinReadySeconds,
                Selector = selector,
                Template = template,
            },
        };
        var replicas = RolloutMath.NewReplicaSetReplicas(_d, With(oldRss, newRs), newRs);
        newRs.Spec.Replicas = replicas;
        DeploymentAnnotations.SetNewReplicaSetAnnotations(_d, newRs, newRevision, exists: false);

        V1ReplicaSet created;
        var alreadyExisted = false;
        try
        {
            created = await client.AppsV1.CreateNamespacedReplicaSetAsync(newRs, Namespace, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            var found = await client.AppsV1.ReadNamespacedReplicaSetAsync(newRs.Metadata.Name, Namespace, cancellationToken: ct).ConfigureAwait(false);
            if (OwnerReferences.IsControlledBy(found.Metadata, _d.Metadata.Uid) && PodTemplateHash.EqualIgnoreHash(_d.Spec.Template, found.Spec.Template))
            {
                // Ours, made by an earlier sync the cache has not shown yet.
                created = found;
                alreadyExisted = true;
            }
            else
            {
                // A hash collision: another template (or owner) has this name. Count it, so the next sync hashes differently.
                _d.Status ??= new V1DeploymentStatus();
                _d.Status.CollisionCount = (_d.Status.CollisionCount ?? 0) + 1;
                await UpdateStatusAsync(ct).ConfigureAwait(false);
                LogCollision(logger, Namespace, _d.Metadata.Name, newRs.Metadata.Name, _d.Status.CollisionCount ?? 0);
                throw;
            }
        }
        catch (HttpOperationException e) when (!IsNamespaceTerminating(e))
        {
            var message = $"Failed to create new replica set \"{newRs.Metadata.Name}\": {ApiMessage(e)}";
            if (DeploymentConditions.HasProgressDeadline(_d))
            {
                _d.Status ??= new V1DeploymentStatus();
                DeploymentConditions.Set(_d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "False",
                    DeploymentConditions.FailedReplicaSetCreate, message, time.GetUtcNow()));
                await TryUpdateStatusAsync(ct).ConfigureAwait(false);
            }

            recorder.Event(_d, EventTypes.Warning, DeploymentConditions.FailedReplicaSetCreate, message);
            throw;
        }

        if (!alreadyExisted && replicas > 0)
        {
            recorder.Event(_d, EventTypes.Normal, "ScalingReplicaSet",
                string.Create(CultureInfo.InvariantCulture, $"Scaled up replica set {created.Metadata.Name} from 0 to {replicas}"));
        }

        var needsUpdate = DeploymentAnnotations.SetDeploymentRevision(_d, newRevision.ToString(CultureInfo.InvariantCulture));
        if (!alreadyExisted && DeploymentConditions.HasProgressDeadline(_d))
        {
            _d.Status ??= new V1DeploymentStatus();
            DeploymentConditions.Set(_d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                DeploymentConditions.NewReplicaSetCreated, $"Created new replica set \"{created.Metadata.Name}\"", time.GetUtcNow()));
            needsUpdate = true;
        }

        if (needsUpdate) await UpdateStatusAsync(ct).ConfigureAwait(false);
        return created;
    }

    // ---- scaling (sync.go: sync, scale, scaleReplicaSet, cleanupDeployment) ----

    private async Task<bool> IsScalingEventAsync(List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRs, oldRss) = await GetAllReplicaSetsAndSyncRevisionAsync(rsList, false, ct).ConfigureAwait(false);
        foreach (var rs in With(oldRss, newRs))
        {
            if (RolloutMath.Replicas(rs) <= 0) continue;
            if (DeploymentAnnotations.Desired(rs) is { } desired && desired != RolloutMath.Replicas(_d)) return true;
        }

        return false;
    }

    private async Task SyncScaleAsync(List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRs, oldRss) = await GetAllReplicaSetsAndSyncRevisionAsync(rsList, false, ct).ConfigureAwait(false);
        await ScaleAsync(newRs, oldRss, ct).ConfigureAwait(false);
        if (_d.Spec.Paused == true) await CleanupAsync(oldRss, ct).ConfigureAwait(false);
        await SyncDeploymentStatusAsync(With(oldRss, newRs), newRs, ct).ConfigureAwait(false);
    }

    private async Task ScaleAsync(V1ReplicaSet? newRs, List<V1ReplicaSet> oldRss, CancellationToken ct)
    {
        var replicas = RolloutMath.Replicas(_d);
        if (FindActiveOrLatest(newRs, oldRss) is { } only)
        {
            if (RolloutMath.Replicas(only) == replicas) return;
            await ScaleAndRecordAsync(only, replicas, ct).ConfigureAwait(false);
            return;
        }

        // The new ReplicaSet is saturated: the old ones can go.
        if (IsSaturated(newRs))
        {
            foreach (var old in oldRss.Where(rs => RolloutMath.Replicas(rs) > 0))
            {
                await ScaleAndRecordAsync(old, 0, ct).ConfigureAwait(false);
            }

            return;
        }

        if (!RolloutMath.IsRollingUpdate(_d)) return;
        var active = With(oldRss, newRs).Where(rs => RolloutMath.Replicas(rs) > 0).ToList();
        var (sizes, order, operation) = RolloutMath.Proportional(_d, active);
        foreach (var rs in order)
        {
            await ScaleReplicaSetAsync(rs, sizes[rs.Metadata.Name], operation, ct).ConfigureAwait(false);
        }
    }

    /// <summary>FindActiveOrLatest: the one active ReplicaSet, or the newest if none is active; null when several are active.</summary>
    private static V1ReplicaSet? FindActiveOrLatest(V1ReplicaSet? newRs, List<V1ReplicaSet> oldRss)
    {
        if (newRs is null && oldRss.Count == 0) return null;
        var active = With(oldRss, newRs).Where(rs => RolloutMath.Replicas(rs) > 0).ToList();
        return active.Count switch
        {
            0 => newRs ?? oldRss.OrderByDescending(rs => rs, Comparer<V1ReplicaSet>.Create(ReplicaSetOrder.ByCreation)).First(),
            1 => active[0],
            _ => null,
        };
    }

    private bool IsSaturated(V1ReplicaSet? rs)
    {
        if (rs is null || DeploymentAnnotations.Desired(rs) is not { } desired) return false;
        var replicas = RolloutMath.Replicas(_d);
        return RolloutMath.Replicas(rs) == replicas && desired == replicas && (rs.Status?.AvailableReplicas ?? 0) == replicas;
    }

    private async Task<(bool Scaled, V1ReplicaSet Set)> ScaleAndRecordAsync(V1ReplicaSet rs, int newScale, CancellationToken ct)
    {
        if (RolloutMath.Replicas(rs) == newScale) return (false, rs);
        var operation = RolloutMath.Replicas(rs) < newScale ? "up" : "down";
        return await ScaleReplicaSetAsync(rs, newScale, operation, ct).ConfigureAwait(false);
    }

    private async Task<(bool Scaled, V1ReplicaSet Set)> ScaleReplicaSetAsync(V1ReplicaSet rs, int newScale, string operation, CancellationToken ct)
    {
        var sizeChanged = RolloutMath.Replicas(rs) != newScale;
        var desired = RolloutMath.Replicas(_d);
        var max = desired + RolloutMath.MaxSurge(_d);
        if (!sizeChanged && !DeploymentAnnotations.ReplicasAnnotationsNeedUpdate(rs, desired, max)) return (false, rs);
        var oldScale = RolloutMath.Replicas(rs);
        var copy = DeploymentController.Copy(rs);
        copy.Spec.Replicas = newScale;
        DeploymentAnnotations.SetReplicasAnnotations(copy, desired, max);
        var updated = await client.AppsV1.ReplaceNamespacedReplicaSetAsync(copy, copy.Metadata.Name, Namespace, cancellationToken: ct).ConfigureAwait(false);
        if (sizeChanged)
        {
            recorder.Event(_d, EventTypes.Normal, "ScalingReplicaSet",
                string.Create(CultureInfo.InvariantCulture, $"Scaled {operation} replica set {updated.Metadata.Name} from {oldScale} to {newScale}"));
        }

        return (sizeChanged, updated);
    }

    /// <summary>cleanupDeployment: deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit.</summary>
    private async Task CleanupAsync(List<V1ReplicaSet> oldRss, CancellationToken ct)
    {
        if (_d.Spec.RevisionHistoryLimit is not { } limit) return;
        var cleanable = oldRss.Where(rs => rs.Metadata.DeletionTimestamp is null).ToList();
        var excess = cleanable.Count - limit;
        if (excess <= 0) return;
        cleanable.Sort(ReplicaSetOrder.ByRevision);
        for (var i = 0; i < excess; i++)
        {
            var rs = cleanable[i];
            // Never delete one that still has (or may still have) replicas.
            if ((rs.Status?.Replicas ?? 0) != 0 || RolloutMath.Replicas(rs) != 0
                || (rs.Metadata.Generation ?? 0) > (rs.Status?.ObservedGeneration ?? 0))
            {
                continue;
            }

            LogCleanup(logger, Namespace, rs.Metadata.Name, _d.Metadata.Name);
            try
            {
                await client.AppsV1.DeleteNamespacedReplicaSetAsync(rs.Metadata.Name, Namespace, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
            }
        }
    }

    // ---- status ----

    private async Task SyncDeploymentStatusAsync(List<V1ReplicaSet> all, V1ReplicaSet? newRs, CancellationToken ct)
    {
        var status = CalculateStatus(all, newRs);
        if (SameStatus(_d.Status, status)) return;
        _d.Status = status;
        await UpdateStatusAsync(ct).ConfigureAwait(false);
    }

    /// <summary>calculateStatus: counts from the ReplicaSets, conditions carried over, Available from maxUnavailable.</summary>
    private V1DeploymentStatus CalculateStatus(List<V1ReplicaSet> all, V1ReplicaSet? newRs)
    {
        var available = RolloutMath.AvailableReplicas(all);
        var total = RolloutMath.SpecReplicas(all);
        var status = new V1DeploymentStatus
        {
            ObservedGeneration = _d.Metadata.Generation,
            Replicas = RolloutMath.ActualReplicas(all),
            UpdatedReplicas = newRs?.Status?.Replicas ?? 0,
            ReadyReplicas = RolloutMath.ReadyReplicas(all),
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, total - available),
            CollisionCount = _d.Status?.CollisionCount,
            Conditions = _d.Status?.Conditions is { } conditions ? [.. conditions] : null,
        };
        var now = time.GetUtcNow();
        if (available >= RolloutMath.Replicas(_d) - RolloutMath.MaxUnavailable(_d))
        {
            DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Available, "True",
                DeploymentConditions.MinimumReplicasAvailable, "Deployment has minimum availability.", now));
        }
        else
        {
            DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Available, "False",
                DeploymentConditions.MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now));
        }

        return status;
    }

    private async Task CheckPausedConditionsAsync(CancellationToken ct)
    {
        if (!DeploymentConditions.HasProgressDeadline(_d)) return;
        var current = DeploymentConditions.Get(_d.Status, DeploymentConditions.Progressing);
        // A reported lack of progress is not overwritten by a pause.
        if (current?.Reason == DeploymentConditions.TimedOut) return;
        var pausedShown = current?.Reason == DeploymentConditions.Paused;
        V1DeploymentCondition? condition = null;
        if (_d.Spec.Paused == true && !pausedShown)
        {
            condition = DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.Paused, "Deployment is paused", time.GetUtcNow());
        }
        else if (_d.Spec.Paused != true && pausedShown)
        {
            condition = DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.Resumed, "Deployment is resumed", time.GetUtcNow());
        }

        if (condition is null) return;
        _d.Status ??= new V1DeploymentStatus();
        DeploymentConditions.Set(_d.Status, condition);
        await UpdateStatusAsync(ct).ConfigureAwait(false);
    }

    private static bool SameStatus(V1DeploymentStatus? a, V1DeploymentStatus b) =>
        a is not null && KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b);

    private async Task UpdateStatusAsync(CancellationToken ct) =>
        _d = await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(_d, _d.Metadata.Name, Namespace, cancellationToken: ct).ConfigureAwait(false);

    private async Task TryUpdateStatusAsync(CancellationToken ct)
    {
        try
        {
            await UpdateStatusAsync(ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            LogStatusFailed(logger, Namespace, _d.Metadata.Name, e);
        }
    }

    private static bool IsNamespaceTerminating(HttpOperationException e) =>
        e.Response.StatusCode == HttpStatusCode.Forbidden && e.Response.Content?.Contains("NamespaceTerminating", StringComparison.Ordinal) == true;

    private static string ApiMessage(HttpOperationException e)
    {
        try
        {
            if (JsonNode.Parse(e.Response.Content ?? "")?["message"]?.GetValue<string>() is { } message) return message;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return e.Message;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Found a hash collision for deployment {Namespace}/{Name} at {ReplicaSet}: collisionCount is now {Count}")]
    private static partial void LogCollision(ILogger logger, string @namespace, string name, string replicaSet, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting old replica set {Namespace}/{ReplicaSet} of deployment {Deployment}")]
    private static partial void LogCleanup(ILogger logger, string @namespace, string replicaSet, string deployment);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating status of deployment {Namespace}/{Name} failed")]
    private static partial void LogStatusFailed(ILogger logger, string @namespace, string name, Exception error);
}
