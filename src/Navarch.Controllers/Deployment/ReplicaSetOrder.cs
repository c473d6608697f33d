using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>The orderings of ReplicaSets the deployment controller uses (controller.ReplicaSetsByCreationTimestamp, BySizeOlder, BySizeNewer, deploymentutil.ReplicaSetsByRevision).</summary>
internal static class ReplicaSetOrder
{
    /// <summary>Oldest first; the name breaks ties.</summary>
    public static int ByCreation(V1ReplicaSet a, V1ReplicaSet b)
    {
        var byTime = Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name);
    }

    /// <summary>Largest first; among equals the older first (where to take replicas away).</summary>
    public static int BySizeOlder(V1ReplicaSet a, V1ReplicaSet b)
    {
        var bySize = RolloutMath.Replicas(b).CompareTo(RolloutMath.Replicas(a));
        return bySize != 0 ? bySize : ByCreation(a, b);
    }

    /// <summary>Largest first; among equals the newer first (where to add replicas).</summary>
    public static int BySizeNewer(V1ReplicaSet a, V1ReplicaSet b)
    {
        var bySize = RolloutMath.Replicas(b).CompareTo(RolloutMath.Replicas(a));
        return bySize != 0 ? bySize : ByCreation(b, a);
    }

    /// <summary>Lowest revision first; creation time breaks ties.</summary>
    public static int ByRevision(V1ReplicaSet a, V1ReplicaSet b)
    {
        var byRevision = DeploymentAnnotations.Revision(a).CompareTo(DeploymentAnnotations.Revision(b));
        return byRevision != 0 ? byRevision : ByCreation(a, b);
    }
}
