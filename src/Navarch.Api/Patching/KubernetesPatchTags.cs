using k8s.Models;

namespace Navarch.Api.Patching;

/// <summary>
/// The <c>patchStrategy</c>/<c>patchMergeKey</c> struct tags of the Kubernetes API types (k8s.io/api) for
/// the kinds Navarch serves. k8s.Models carries no such metadata, so it is written down here; every field
/// not listed has no strategy (maps merge, lists are replaced atomically).
/// </summary>
internal static class KubernetesPatchTags
{
    public static IReadOnlyList<(Type Type, string Field, PatchStrategy Strategy, string? MergeKey)> All { get; } =
    [
        // metav1.ObjectMeta
        (typeof(V1ObjectMeta), "finalizers", PatchStrategy.Merge, null),
        (typeof(V1ObjectMeta), "ownerReferences", PatchStrategy.Merge, "uid"),

        // core/v1 PodSpec
        (typeof(V1PodSpec), "volumes", PatchStrategy.Merge | PatchStrategy.RetainKeys, "name"),
        (typeof(V1PodSpec), "initContainers", PatchStrategy.Merge, "name"),
        (typeof(V1PodSpec), "containers", PatchStrategy.Merge, "name"),
        (typeof(V1PodSpec), "ephemeralContainers", PatchStrategy.Merge, "name"),
        (typeof(V1PodSpec), "imagePullSecrets", PatchStrategy.Merge, "name"),
        (typeof(V1PodSpec), "hostAliases", PatchStrategy.Merge, "ip"),
        (typeof(V1PodSpec), "topologySpreadConstraints", PatchStrategy.Merge, "topologyKey"),
        (typeof(V1PodSpec), "schedulingGates", PatchStrategy.Merge, "name"),
        (typeof(V1PodSpec), "resourceClaims", PatchStrategy.Merge | PatchStrategy.RetainKeys, "name"),

        // core/v1 Container and EphemeralContainer (EphemeralContainerCommon has the same tags)
        (typeof(V1Container), "ports", PatchStrategy.Merge, "containerPort"),
        (typeof(V1Container), "env", PatchStrategy.Merge, "name"),
        (typeof(V1Container), "volumeMounts", PatchStrategy.Merge, "mountPath"),
        (typeof(V1Container), "volumeDevices", PatchStrategy.Merge, "devicePath"),
        (typeof(V1EphemeralContainer), "ports", PatchStrategy.Merge, "containerPort"),
        (typeof(V1EphemeralContainer), "env", PatchStrategy.Merge, "name"),
        (typeof(V1EphemeralContainer), "volumeMounts", PatchStrategy.Merge, "mountPath"),
        (typeof(V1EphemeralContainer), "volumeDevices", PatchStrategy.Merge, "devicePath"),

        // core/v1 PodStatus
        (typeof(V1PodStatus), "conditions", PatchStrategy.Merge, "type"),
        (typeof(V1PodStatus), "podIPs", PatchStrategy.Merge, "ip"),
        (typeof(V1PodStatus), "hostIPs", PatchStrategy.Merge, "ip"),
        (typeof(V1PodStatus), "resourceClaimStatuses", PatchStrategy.Merge | PatchStrategy.RetainKeys, "name"),

        // core/v1 Node (NodeSpec.taints has no strategy: it is replaced whole)
        (typeof(V1NodeSpec), "podCIDRs", PatchStrategy.Merge, null),
        (typeof(V1NodeStatus), "conditions", PatchStrategy.Merge, "type"),
        (typeof(V1NodeStatus), "addresses", PatchStrategy.Merge, "type"),

        // core/v1 Service, Namespace, ServiceAccount, PersistentVolumeClaim, ReplicationController
        (typeof(V1ServiceSpec), "ports", PatchStrategy.Merge, "port"),
        (typeof(V1ServiceStatus), "conditions", PatchStrategy.Merge, "type"),
        (typeof(V1NamespaceStatus), "conditions", PatchStrategy.Merge, "type"),
        (typeof(V1ServiceAccount), "secrets", PatchStrategy.Merge, "name"),
        (typeof(V1PersistentVolumeClaimStatus), "conditions", PatchStrategy.Merge, "type"),
        (typeof(V1ReplicationControllerStatus), "conditions", PatchStrategy.Merge, "type"),

        // apps/v1
        (typeof(V1DeploymentSpec), "strategy", PatchStrategy.RetainKeys, null),
        (typeof(V1DeploymentStatus), "conditions", PatchStrategy.Merge, "type"),
        (typeof(V1ReplicaSetStatus), "conditions", PatchStrategy.Merge, "type"),
        (typeof(V1DaemonSetStatus), "conditions", PatchStrategy.Merge, "type"),
        (typeof(V1StatefulSetStatus), "conditions", PatchStrategy.Merge, "type"),

        // batch/v1 (CronJob has no tagged fields)
        (typeof(V1JobStatus), "conditions", PatchStrategy.Merge, "type"),

        // policy/v1
        (typeof(V1PodDisruptionBudgetStatus), "conditions", PatchStrategy.Merge, "type"),
    ];
}
