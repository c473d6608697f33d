using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Controllers.Deployment;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.Deployment;

/// <summary>Builders and probes for deployment tests.</summary>
internal static class DeploymentTestKit
{
    public static readonly TimeSpan RolloutTimeout = TimeSpan.FromSeconds(20);

    public static V1Deployment NewDeployment(string name, int replicas, string image = "nginx:1", string? maxSurge = "1", string? maxUnavailable = "1") => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = maxSurge, MaxUnavailable = maxUnavailable },
            },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = image }] },
            },
        },
    };

    /// <summary>The ReplicaSets controlled by <paramref name="d"/>, oldest first.</summary>
    public static async Task<List<V1ReplicaSet>> ReplicaSetsAsync(IKubernetes client, V1Deployment d)
    {
        var list = await client.AppsV1.ListNamespacedReplicaSetAsync(d.Metadata.NamespaceProperty);
        return list.Items
            .Where(rs => OwnerReferences.IsControlledBy(rs.Metadata, d.Metadata.Uid))
            .OrderBy(rs => rs.Metadata.CreationTimestamp).ThenBy(rs => rs.Metadata.Name)
            .ToList();
    }

    public static Task<V1Deployment> GetAsync(IKubernetes client, V1Deployment d) =>
        client.AppsV1.ReadNamespacedDeploymentAsync(d.Metadata.Name, d.Metadata.NamespaceProperty);

    /// <summary>Sets a ReplicaSet's status as its controller would once <paramref name="available"/> pods are up.</summary>
    public static Task SetStatusAsync(IKubernetes client, V1ReplicaSet rs, int replicas, int available) =>
        client.AppsV1.PatchNamespacedReplicaSetStatusAsync(
            new V1Patch(JsonSerializer.Serialize(new
            {
                status = new
                {
                    replicas,
                    readyReplicas = available,
                    availableReplicas = available,
                    fullyLabeledReplicas = replicas,
                    observedGeneration = rs.Metadata.Generation ?? 1,
                },
            }), V1Patch.PatchType.MergePatch),
            rs.Metadata.Name, rs.Metadata.NamespaceProperty);

    public static bool IsComplete(V1Deployment d) =>
        d.Status is { } s
        && (s.ObservedGeneration ?? 0) >= (d.Metadata.Generation ?? 0)
        && (s.UpdatedReplicas ?? 0) == d.Spec.Replicas
        && (s.Replicas ?? 0) == d.Spec.Replicas
        && (s.AvailableReplicas ?? 0) == d.Spec.Replicas;

    /// <summary>
    /// Plays ReplicaSet controller and kubelet until the rollout completes: every ReplicaSet's pods appear and become
    /// available at once. <paramref name="check"/> sees every state of the ReplicaSets on the way.
    /// </summary>
    public static async Task<V1Deployment> DriveRolloutAsync(IKubernetes client, V1Deployment d, Action<List<V1ReplicaSet>>? check = null)
    {
        var deadline = DateTime.UtcNow + RolloutTimeout;
        while (true)
        {
            var sets = await ReplicaSetsAsync(client, d);
            check?.Invoke(sets);
            foreach (var rs in sets)
            {
                var replicas = rs.Spec.Replicas ?? 0;
                if (rs.Status?.Replicas != replicas || rs.Status?.AvailableReplicas != replicas || rs.Status?.ObservedGeneration != rs.Metadata.Generation)
                {
                    await SetStatusAsync(client, rs, replicas, replicas);
                }
            }

            var current = await GetAsync(client, d);
            if (IsComplete(current) && sets.Count(rs => (rs.Spec.Replicas ?? 0) > 0 || (rs.Status?.Replicas ?? 0) > 0) == 1) return current;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"rollout of {d.Metadata.Name} did not complete: {KubernetesJson.Serialize(current.Status)}");
            await Task.Delay(50);
        }
    }

    public static V1DeploymentCondition? Condition(V1Deployment d, string type) => d.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static string? Revision(IMetadata<V1ObjectMeta> obj) =>
        obj.Metadata.Annotations is { } a && a.TryGetValue(DeploymentAnnotations.RevisionKey, out var value) ? value : null;

    /// <summary>Waits for an event with this reason and message about the object named <paramref name="name"/>.</summary>
    public static Task EventAsync(IKubernetes client, string ns, string name, string reason, string message) =>
        Eventually.TrueAsync(async () =>
        {
            var events = await client.CoreV1.ListNamespacedEventAsync(ns);
            return events.Items.Any(e => e.InvolvedObject?.Name == name && e.Reason == reason && e.Message == message
                && e.Source?.Component == DeploymentController.Component);
        }, $"event {reason} \"{message}\"", RolloutTimeout);
}
