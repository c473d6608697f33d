using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Hosting;

/// <summary>
/// <see cref="ISchedulerClient"/> over the Kubernetes API: the pods/binding subresource, status patches for
/// nominations and the PodScheduled condition, and deletes of preemption victims. Namespace labels and
/// PriorityClasses come from informer caches, never from a request per pod.
/// </summary>
internal sealed class ApiSchedulerClient(
    IKubernetes client,
    Func<string, V1Namespace?> getNamespace,
    Func<string, V1PriorityClass?> getPriorityClass,
    TimeProvider time) : ISchedulerClient
{
    public Task BindAsync(V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        var binding = new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = nodeName },
        };
        return client.CoreV1.CreateNamespacedPodBindingAsync(binding, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// As kube-scheduler does since 1.26: mark the victim with a DisruptionTarget condition so its owner can tell a
    /// preemption from a crash, then delete it (only the same incarnation: UID precondition).
    /// </summary>
    public async Task DeleteVictimAsync(V1Pod victim, V1Pod preemptor, string nodeName, CancellationToken cancellationToken)
    {
        var schedulerName = preemptor.Spec?.SchedulerName ?? "default-scheduler";
        var condition = new Dictionary<string, object?>
        {
            ["type"] = "DisruptionTarget",
            ["status"] = "True",
            ["reason"] = "PreemptionByScheduler",
            ["message"] = $"{schedulerName}: preempting to accommodate a higher priority pod",
            ["lastTransitionTime"] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
        await PatchStatusAsync(victim, new Dictionary<string, object?> { ["conditions"] = new[] { condition } }, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(
                victim.Metadata.Name,
                victim.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = victim.Metadata.Uid } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Already gone: the goal of the delete is met.
        }
    }

    public Task SetNominatedNodeNameAsync(V1Pod pod, string? nodeName, CancellationToken cancellationToken) =>
        PatchStatusAsync(pod, new Dictionary<string, object?> { ["nominatedNodeName"] = nodeName }, cancellationToken);

    /// <summary>Sets PodScheduled=False with reason Unschedulable and the FitError message, as kube-scheduler's handleSchedulingFailure.</summary>
    public Task SetUnschedulableConditionAsync(V1Pod pod, string message, string? nominatedNodeName, CancellationToken cancellationToken)
    {
        var condition = new Dictionary<string, object?>
        {
            ["type"] = "PodScheduled",
            ["status"] = "False",
            ["reason"] = "Unschedulable",
            ["message"] = message,
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
        var status = new Dictionary<string, object?> { ["conditions"] = new[] { condition } };
        if (nominatedNodeName is not null) status["nominatedNodeName"] = nominatedNodeName;
        return PatchStatusAsync(pod, status, cancellationToken);
    }

    public IReadOnlyDictionary<string, string>? NamespaceLabels(string namespaceName) =>
        getNamespace(namespaceName)?.Metadata?.Labels as IReadOnlyDictionary<string, string>;

    public V1PriorityClass? GetPriorityClass(string name) => getPriorityClass(name);

    private async Task PatchStatusAsync(V1Pod pod, Dictionary<string, object?> status, CancellationToken cancellationToken)
    {
        // Strategic merge: conditions merge by type, so other conditions of the pod stay as they are.
        var body = JsonSerializer.Serialize(new Dictionary<string, object?> { ["status"] = status });
        try
        {
            await client.CoreV1.PatchNamespacedPodStatusAsync(
                new V1Patch(body, V1Patch.PatchType.StrategicMergePatch),
                pod.Metadata.Name,
                pod.Metadata.NamespaceProperty,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // The pod was deleted meanwhile; there is nothing left to report on.
        }
    }
}
