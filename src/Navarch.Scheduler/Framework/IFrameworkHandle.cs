using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// What a plugin gets from the framework that runs it, as kube-scheduler's framework.Handle: the snapshot, the
/// client, event recording, and the ability to run the profile's filters (preemption re-checks nodes with it).
/// </summary>
public interface IFrameworkHandle
{
    /// <summary>The node snapshot of the cycle in progress.</summary>
    INodeInfoLister SnapshotNodeInfos { get; }

    ISchedulerClient Client { get; }

    IPodNominator Nominator { get; }

    TimeProvider Time { get; }

    /// <summary>The profile's schedulerName.</summary>
    string ProfileName { get; }

    /// <summary>Records an event about <paramref name="regarding"/> (type Normal/Warning, Kubernetes reason).</summary>
    void RecordEvent(V1Pod regarding, string type, string reason, string action, string message);

    /// <summary>Runs every Filter plugin of the profile on one node, counting higher-or-equal priority nominated pods.</summary>
    Status RunFilterPluginsWithNominatedPods(CycleState state, V1Pod pod, NodeInfo nodeInfo);

    Status RunPreFilterExtensionAddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo);

    Status RunPreFilterExtensionRemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo);
}
