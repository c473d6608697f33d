using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Labels;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.ReplicaSet;

/// <summary>
/// Adopts and releases pods for a ReplicaSet, as Kubernetes' PodControllerRefManager.ClaimPods: a pod the
/// ReplicaSet controls stays claimed while its labels match the selector and is released (its ownerReference
/// removed) when they stop matching; an orphan in the namespace whose labels match, not being deleted, is adopted
/// by adding a controller reference — but only after a fresh read shows the ReplicaSet still exists with the same
/// UID and is not being deleted. Both patches carry the pod's UID, so they fail rather than touch a replacement.
/// </summary>
internal sealed partial class PodClaimer(IKubernetes client, ILogger logger)
{
    /// <summary>
    /// The pods of <paramref name="candidates"/> that belong to <paramref name="rs"/> after adopting and releasing.
    /// Pods controlled by another owner are skipped.
    /// </summary>
    /// <exception cref="AggregateException">An adoption or release failed (or adoption was refused); the sync should retry.</exception>
    public async Task<List<V1Pod>> ClaimAsync(V1ReplicaSet rs, LabelSelector selector, IReadOnlyList<V1Pod> candidates, CancellationToken cancellationToken)
    {
        var meta = rs.Metadata;
        var claimed = new List<V1Pod>(candidates.Count);
        List<Exception>? errors = null;
        Exception? adoptionRefused = null;
        var adoptionChecked = false;
        foreach (var pod in candidates)
        {
            var reference = OwnerReferences.ControllerOf(pod.Metadata);
            if (reference is not null)
            {
                if (reference.Uid != meta.Uid) continue;
                if (selector.Matches(pod.Metadata))
                {
                    claimed.Add(pod);
                    continue;
                }

                // Ours but no longer selected: let it go, unless we are being deleted (the GC will handle it).
                if (meta.DeletionTimestamp is not null) continue;
                try
                {
                    await ReleaseAsync(rs, pod, cancellationToken).ConfigureAwait(false);
                }
                catch (k8s.Autorest.HttpOperationException e)
                    when (ApiErrors.Is(e, HttpStatusCode.NotFound) || ApiErrors.Is(e, HttpStatusCode.UnprocessableEntity))
                {
                    // Gone, or replaced by a pod with another UID: either way it is no longer ours to release.
                }
                catch (k8s.Autorest.HttpOperationException e)
                {
                    (errors ??= []).Add(e);
                }

                continue;
            }

            if (meta.DeletionTimestamp is not null
                || pod.Metadata.DeletionTimestamp is not null
                || pod.Metadata.NamespaceProperty != meta.NamespaceProperty
                || !selector.Matches(pod.Metadata))
            {
                continue;
            }

            if (!adoptionChecked)
            {
                adoptionChecked = true;
                adoptionRefused = await CanAdoptAsync(rs, cancellationToken).ConfigureAwait(false);
            }

            if (adoptionRefused is not null)
            {
                (errors ??= []).Add(adoptionRefused);
                continue;
            }

            try
            {
                await AdoptAsync(rs, pod, cancellationToken).ConfigureAwait(false);
                claimed.Add(pod);
            }
            catch (k8s.Autorest.HttpOperationException e) when (ApiErrors.Is(e, HttpStatusCode.NotFound))
            {
                // Deleted meanwhile: nothing to adopt.
            }
            catch (k8s.Autorest.HttpOperationException e)
            {
                (errors ??= []).Add(e);
            }
        }

        if (errors is not null) throw new AggregateException($"claiming pods for ReplicaSet {meta.NamespaceProperty}/{meta.Name}", errors);
        return claimed;
    }

    /// <summary>
    /// Reads the ReplicaSet from the API server (not the cache), as RecheckDeletionTimestamp: adoption must not
    /// race with the ReplicaSet's deletion, or the GC would never delete the adopted pods. Null when adoption may go on.
    /// </summary>
    private async Task<Exception?> CanAdoptAsync(V1ReplicaSet rs, CancellationToken cancellationToken)
    {
        var meta = rs.Metadata;
        var fresh = await client.AppsV1.ReadNamespacedReplicaSetAsync(meta.Name, meta.NamespaceProperty, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        if (fresh.Metadata.Uid != meta.Uid)
        {
            return new InvalidOperationException(
                $"original ReplicaSet {meta.NamespaceProperty}/{meta.Name} is gone: got uid {fresh.Metadata.Uid}, wanted {meta.Uid}");
        }

        if (fresh.Metadata.DeletionTimestamp is { } deleted)
        {
            return new InvalidOperationException($"{meta.NamespaceProperty}/{meta.Name} has just been deleted at {deleted:O}");
        }

        return null;
    }

    private async Task AdoptAsync(V1ReplicaSet rs, V1Pod pod, CancellationToken cancellationToken)
    {
        var reference = OwnerReferences.ControllerRef(rs, ReplicaSetController.OwnerApiVersion, ReplicaSetController.OwnerKind);
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = reference.ApiVersion,
                    ["kind"] = reference.Kind,
                    ["name"] = reference.Name,
                    ["uid"] = reference.Uid,
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
                ["uid"] = pod.Metadata.Uid,
            },
        };
        await PatchAsync(pod, patch, cancellationToken).ConfigureAwait(false);
        LogAdopted(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, rs.Metadata.Name);
    }

    private async Task ReleaseAsync(V1ReplicaSet rs, V1Pod pod, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["ownerReferences"] = new JsonArray(new JsonObject { ["$patch"] = "delete", ["uid"] = rs.Metadata.Uid }),
                ["uid"] = pod.Metadata.Uid,
            },
        };
        await PatchAsync(pod, patch, cancellationToken).ConfigureAwait(false);
        LogReleased(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, rs.Metadata.Name);
    }

    // A strategic merge patch merges ownerReferences by uid, so other owners' references are left alone.
    private Task PatchAsync(V1Pod pod, JsonObject patch, CancellationToken cancellationToken) =>
        client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch),
            pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Adopted pod {Ns}/{Pod} into ReplicaSet {ReplicaSet}")]
    private static partial void LogAdopted(ILogger logger, string ns, string pod, string replicaSet);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released pod {Ns}/{Pod} from ReplicaSet {ReplicaSet}")]
    private static partial void LogReleased(ILogger logger, string ns, string pod, string replicaSet);
}
