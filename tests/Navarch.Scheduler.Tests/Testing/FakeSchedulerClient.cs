using System.Collections.Concurrent;
using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Tests.Testing;

/// <summary>Records the API calls plugins make, for unit tests that need no server.</summary>
internal sealed class FakeSchedulerClient : ISchedulerClient
{
    public ConcurrentQueue<(string Pod, string Node)> Bindings { get; } = new();

    public ConcurrentQueue<string> DeletedVictims { get; } = new();

    public ConcurrentDictionary<string, string?> Nominations { get; } = new();

    public Dictionary<string, Dictionary<string, string>> Namespaces { get; } = new();

    public Dictionary<string, V1PriorityClass> PriorityClasses { get; } = new();

    public Task BindAsync(V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        Bindings.Enqueue((PodKey.Of(pod), nodeName));
        return Task.CompletedTask;
    }

    public Task DeleteVictimAsync(V1Pod victim, V1Pod preemptor, string nodeName, CancellationToken cancellationToken)
    {
        DeletedVictims.Enqueue(PodKey.Of(victim));
        return Task.CompletedTask;
    }

    public Task SetNominatedNodeNameAsync(V1Pod pod, string? nodeName, CancellationToken cancellationToken)
    {
        Nominations[PodKey.Of(pod)] = nodeName;
        return Task.CompletedTask;
    }

    public ConcurrentQueue<(string Pod, string Message, string? NominatedNode)> UnschedulableConditions { get; } = new();

    public Task SetUnschedulableConditionAsync(V1Pod pod, string message, string? nominatedNodeName, CancellationToken cancellationToken)
    {
        UnschedulableConditions.Enqueue((PodKey.Of(pod), message, nominatedNodeName));
        return Task.CompletedTask;
    }

    public IReadOnlyDictionary<string, string>? NamespaceLabels(string namespaceName) =>
        Namespaces.TryGetValue(namespaceName, out var labels) ? labels : null;

    public V1PriorityClass? GetPriorityClass(string name) => PriorityClasses.TryGetValue(name, out var pc) ? pc : null;
}
