using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Pods;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// Ephemeral containers, after Kubernetes' validateEphemeralContainers (what any spec may hold) and
/// ValidatePodEphemeralContainersUpdate (what the <c>pods/ephemeralcontainers</c> subresource may change).
/// </summary>
internal static class EphemeralContainerValidation
{
    /// <summary>kube-apiserver's detail for a field an ephemeral container may not set.</summary>
    public const string NotAllowedDetail = "cannot be set for an Ephemeral Container";

    /// <summary>The annotation the kubelet puts on the mirror of a static pod.</summary>
    public const string MirrorPodAnnotation = "kubernetes.io/config.mirror";

    /// <summary>
    /// Validates <c>spec.ephemeralContainers</c> at <paramref name="path"/>: the rules common to all containers, names unique
    /// across every kind of container (<paramref name="names"/> holds those of the containers and init containers), a
    /// target that is a container or init container, and none of the fields that would make the container part of the
    /// workload (ports, probes, lifecycle, resources, restart policy, volume subPaths).
    /// </summary>
    public static void Validate(V1PodSpec spec, string path, HashSet<string> volumes, HashSet<string> names, List<FieldError> errors)
    {
        if (spec.EphemeralContainers is not { Count: > 0 } ephemeral)
        {
            return;
        }

        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers ?? []))
        {
            targets.Add(container.Name ?? "");
        }

        for (var i = 0; i < ephemeral.Count; i++)
        {
            var at = $"{path}[{i}]";
            var container = ephemeral[i];
            PodSpecValidation.ValidateContainer(EphemeralContainerSpec.ToContainer(container), at, volumes, names, errors);
            if (!string.IsNullOrEmpty(container.TargetContainerName) && !targets.Contains(container.TargetContainerName))
            {
                errors.Add(new FieldError(FieldErrorType.NotFound, at + ".targetContainerName", container.TargetContainerName, ""));
            }

            ForbidWorkloadFields(container, at, errors);
            var mount = 0;
            foreach (var volumeMount in container.VolumeMounts ?? [])
            {
                var mountPath = $"{at}.volumeMounts[{mount++}]";
                if (!string.IsNullOrEmpty(volumeMount.SubPath))
                {
                    errors.Add(FieldError.Forbidden(mountPath + ".subPath", NotAllowedDetail));
                }

                if (!string.IsNullOrEmpty(volumeMount.SubPathExpr))
                {
                    errors.Add(FieldError.Forbidden(mountPath + ".subPathExpr", NotAllowedDetail));
                }
            }
        }
    }

    /// <summary>
    /// The update the ephemeral containers subresource makes: the whole spec must still be valid, and the ephemeral
    /// containers already there stay exactly as they were (matched by name, since a patch need not keep their order).
    /// Static pods take none, as kube-apiserver refuses them (their kubelet would never run one).
    /// </summary>
    public static void ValidateUpdate(V1Pod pod, V1Pod old, List<FieldError> errors)
    {
        if (old.Metadata?.Annotations?.ContainsKey(MirrorPodAnnotation) == true)
        {
            errors.Add(FieldError.Forbidden("", "static pods do not support ephemeral containers"));
            return;
        }

        PodSpecValidation.Validate(pod.Spec, "spec", errors);
        var byName = new Dictionary<string, V1EphemeralContainer>(StringComparer.Ordinal);
        foreach (var container in pod.Spec?.EphemeralContainers ?? [])
        {
            byName.TryAdd(container.Name ?? "", container);
        }

        foreach (var existing in old.Spec?.EphemeralContainers ?? [])
        {
            if (!byName.TryGetValue(existing.Name ?? "", out var now))
            {
                errors.Add(FieldError.Forbidden("spec.ephemeralContainers", $"existing ephemeral containers \"{existing.Name}\" may not be removed"));
            }
            else if (!JsonNode.DeepEquals(Comparable(existing), Comparable(now)))
            {
                errors.Add(FieldError.Forbidden("spec.ephemeralContainers", $"existing ephemeral containers \"{existing.Name}\" may not be changed"));
            }
        }
    }

    // Listed in the order of EphemeralContainerCommon's fields, the order kube-apiserver reports them in.
    private static void ForbidWorkloadFields(V1EphemeralContainer container, string at, List<FieldError> errors)
    {
        ForbidIf(container.Ports is { Count: > 0 }, at + ".ports", errors);
        ForbidIf(container.Resources is { } resources
            && (resources.Limits is { Count: > 0 } || resources.Requests is { Count: > 0 } || resources.Claims is { Count: > 0 }),
            at + ".resources", errors);
        ForbidIf(container.ResizePolicy is { Count: > 0 }, at + ".resizePolicy", errors);
        ForbidIf(container.RestartPolicy is not null, at + ".restartPolicy", errors);
        ForbidIf(container.RestartPolicyRules is { Count: > 0 }, at + ".restartPolicyRules", errors);
        ForbidIf(container.LivenessProbe is not null, at + ".livenessProbe", errors);
        ForbidIf(container.ReadinessProbe is not null, at + ".readinessProbe", errors);
        ForbidIf(container.StartupProbe is not null, at + ".startupProbe", errors);
        ForbidIf(container.Lifecycle is not null, at + ".lifecycle", errors);
    }

    private static void ForbidIf(bool set, string field, List<FieldError> errors)
    {
        if (set)
        {
            errors.Add(FieldError.Forbidden(field, NotAllowedDetail));
        }
    }

    /// <summary>
    /// The JSON form with empty objects and lists dropped: Go compares structs, where an absent <c>resources</c> and
    /// <c>resources: {}</c> are the same value, so a client that leaves them out has not changed the container.
    /// </summary>
    private static JsonNode? Comparable(V1EphemeralContainer container) => Prune(JsonNode.Parse(KubernetesJson.Serialize(container)));

    private static JsonNode? Prune(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToArray())
                {
                    var pruned = Prune(value);
                    if (pruned is null)
                    {
                        obj.Remove(name);
                    }
                }

                return obj.Count == 0 ? null : obj;
            case JsonArray array:
                foreach (var item in array)
                {
                    Prune(item);
                }

                return array.Count == 0 ? null : array;
            default:
                return node;
        }
    }
}
