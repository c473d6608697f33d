using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// The API calls plugins make, kept behind an interface so plugins are unit-testable without a server: binding,
/// preemption's victim deletion and nomination, the DisruptionTarget condition, and namespace labels.
/// </summary>
public interface ISchedulerClient
{
    /// <summary>POST pods/{name}/binding.</summary>
    Task BindAsync(V1Pod pod, string nodeName, CancellationToken cancellationToken);

    /// <summary>Deletes a preemption victim (after setting its DisruptionTarget condition, as Kubernetes does).</summary>
    Task DeleteVictimAsync(V1Pod victim, V1Pod preemptor, string nodeName, CancellationToken cancellationToken);

    /// <summary>Sets or clears (null) status.nominatedNodeName of a pod.</summary>
    Task SetNominatedNodeNameAsync(V1Pod pod, string? nodeName, CancellationToken cancellationToken);

    /// <summary>Sets PodScheduled=False with reason Unschedulable and <paramref name="message"/> (and nominatedNodeName when given).</summary>
    Task SetUnschedulableConditionAsync(V1Pod pod, string message, string? nominatedNodeName, CancellationToken cancellationToken);

    /// <summary>Labels of a namespace from the informer cache; null when unknown.</summary>
    IReadOnlyDictionary<string, string>? NamespaceLabels(string namespaceName);

    /// <summary>A PriorityClass from the informer cache; null when absent.</summary>
    V1PriorityClass? GetPriorityClass(string name);
}
