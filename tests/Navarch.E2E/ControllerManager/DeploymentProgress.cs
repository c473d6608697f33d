using k8s.Models;

namespace Navarch.E2E.ControllerManager;

/// <summary>A Deployment's status counters, and whether they say the rollout is complete, as <c>kubectl rollout status</c> judges it.</summary>
internal sealed record DeploymentProgress(long Generation, long ObservedGeneration, int Replicas, int Updated, int Ready, int Available, int Unavailable)
{
    public static DeploymentProgress Of(V1Deployment deployment)
    {
        var status = deployment.Status ?? new V1DeploymentStatus();
        return new DeploymentProgress(
            deployment.Metadata.Generation ?? 0,
            status.ObservedGeneration ?? 0,
            status.Replicas ?? 0,
            status.UpdatedReplicas ?? 0,
            status.ReadyReplicas ?? 0,
            status.AvailableReplicas ?? 0,
            status.UnavailableReplicas ?? 0);
    }

    public bool Complete(int replicas) =>
        ObservedGeneration >= Generation && Replicas == replicas && Updated == replicas && Ready == replicas && Available == replicas && Unavailable == 0;
}
