using Navarch.Controllers.Framework;

namespace Navarch.Controllers;

/// <summary>Every controller Navarch's controller manager can run, in start order, as kube-controller-manager's list.</summary>
public static class ControllerRegistry
{
    public static IReadOnlyList<ControllerDescriptor> All { get; } =
    [
        ReplicaSet.ReplicaSetController.Descriptor,
        Deployment.DeploymentController.Descriptor,
        Endpoints.EndpointsController.Descriptor,
        EndpointSlice.EndpointSliceController.Descriptor,
        DaemonSet.DaemonSetController.Descriptor,
        Job.JobController.Descriptor,
        CronJob.CronJobController.Descriptor,
        StatefulSet.StatefulSetController.Descriptor,
        Job.TtlAfterFinishedController.Descriptor,
        NodeIpam.NodeIpamController.Descriptor,
        NodeLifecycle.NodeLifecycleController.Descriptor,
        NodeLifecycle.TaintEvictionController.Descriptor,
        ServiceAccount.ServiceAccountsController.Descriptor,
        RootCaCertPublisher.RootCaCertPublisherController.Descriptor,
        Namespace.NamespaceController.Descriptor,
        GarbageCollector.GarbageCollectorController.Descriptor,
        PodGC.PodGcController.Descriptor,
    ];
}
