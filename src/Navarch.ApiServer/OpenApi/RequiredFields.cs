using System.Collections.Frozen;
using k8s.Models;

namespace Navarch.ApiServer.OpenApi;

/// <summary>
/// Fields Kubernetes' API types mark as required (no <c>omitempty</c> / <c>+required</c>) that the client models
/// cannot tell apart from optional ones, so that <c>kubectl explain</c> shows <c>-required-</c> as it does against
/// Kubernetes. Value-typed fields are found without this table.
/// </summary>
internal static class RequiredFields
{
    private static readonly FrozenDictionary<Type, string[]> ByType = new Dictionary<Type, string[]>
    {
        [typeof(V1Container)] = ["name"],
        [typeof(V1EphemeralContainer)] = ["name"],
        [typeof(V1PodSpec)] = ["containers"],
        [typeof(V1DeploymentSpec)] = ["selector", "template"],
        [typeof(V1ReplicaSetSpec)] = ["selector"],
        [typeof(V1DaemonSetSpec)] = ["selector", "template"],
        [typeof(V1StatefulSetSpec)] = ["selector", "template"],
        [typeof(V1JobSpec)] = ["template"],
        [typeof(V1CronJobSpec)] = ["schedule", "jobTemplate"],
        [typeof(V1LabelSelectorRequirement)] = ["key", "operator"],
        [typeof(V1NodeSelectorRequirement)] = ["key", "operator"],
        [typeof(V1EnvVar)] = ["name"],
        [typeof(V1Volume)] = ["name"],
        [typeof(V1VolumeMount)] = ["name", "mountPath"],
        [typeof(V1KeyToPath)] = ["key", "path"],
        [typeof(V1ConfigMapKeySelector)] = ["key"],
        [typeof(V1SecretKeySelector)] = ["key"],
        [typeof(V1ObjectFieldSelector)] = ["fieldPath"],
        [typeof(V1ResourceFieldSelector)] = ["resource"],
        [typeof(V1HTTPGetAction)] = ["port"],
        [typeof(V1TCPSocketAction)] = ["port"],
        [typeof(V1OwnerReference)] = ["apiVersion", "kind", "name", "uid"],
        [typeof(V1Taint)] = ["key", "effect"],
        [typeof(V1TopologySpreadConstraint)] = ["maxSkew", "topologyKey", "whenUnsatisfiable"],
        [typeof(V1PodAffinityTerm)] = ["topologyKey"],
        [typeof(V1PodCondition)] = ["type", "status"],
        [typeof(V1NodeCondition)] = ["type", "status"],
        [typeof(V1DeploymentCondition)] = ["type", "status"],
        [typeof(V1NodeAddress)] = ["type", "address"],
        [typeof(V1EndpointSlice)] = ["addressType", "endpoints"],
        [typeof(V1Endpoint)] = ["addresses"],
        [typeof(V1EndpointAddress)] = ["ip"],
        [typeof(Corev1EndpointPort)] = ["port"],
        [typeof(V1PriorityClass)] = ["value"],
        [typeof(V1Binding)] = ["target"],
        [typeof(Corev1Event)] = ["metadata", "involvedObject"],
        [typeof(Eventsv1Event)] = ["eventTime"],
        [typeof(V1ContainerPort)] = ["containerPort"],
        [typeof(V1ServicePort)] = ["port"],
    }.ToFrozenDictionary();

    public static IReadOnlyList<string> Of(Type type) => ByType.TryGetValue(type, out var fields) ? fields : [];
}
