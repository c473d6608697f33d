namespace Navarch.Bench;

/// <summary>
/// The object the <c>deployment</c> benchmark scales: a Deployment (the measured path: deployment controller, then
/// replicaset controller) or, for comparison, a bare ReplicaSet (the replicaset controller alone).
/// </summary>
internal sealed record DeploymentWorkload(string Kind, string Resource)
{
    public const string Name = "bench";

    public static readonly DeploymentWorkload Deployment = new("Deployment", "deployments");

    public static readonly DeploymentWorkload ReplicaSet = new("ReplicaSet", "replicasets");

    /// <summary>The workload <paramref name="name"/> stands for (<c>deployment</c> or <c>replicaset</c>); null when unknown.</summary>
    public static DeploymentWorkload? Parse(string name) => name switch
    {
        "deployment" => Deployment,
        "replicaset" => ReplicaSet,
        _ => null,
    };

    /// <summary>The lower-case kind, as the report's last line names it.</summary>
    public string Label => Kind.ToLowerInvariant();

    public string CollectionPath(string ns) => $"/apis/apps/v1/namespaces/{ns}/{Resource}";

    public string ObjectPath(string ns) => $"{CollectionPath(ns)}/{Name}";

    /// <summary>
    /// The object with 0 replicas and one pause container with tiny requests (1m cpu, 4Mi memory), so the nodes' 110-pod
    /// limit, not cpu or memory, bounds the packing.
    /// </summary>
    public string Json(string ns) =>
        $$$"""
        {"apiVersion":"apps/v1","kind":"{{{Kind}}}","metadata":{"name":"{{{Name}}}","namespace":"{{{ns}}}"},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"{{{Name}}}"}},"template":{"metadata":{"labels":{"app":"{{{Name}}}"}},"spec":{"containers":[{"name":"pause","image":"registry.k8s.io/pause:3.10","resources":{"requests":{"cpu":"1m","memory":"4Mi"}
        """ + "}}]}}}}";
}
