using System.Text.Json;
using k8s;
using k8s.Models;

namespace Navarch.Controllers.Tests.Support;

/// <summary>
/// Plays the kubelet's part in controller tests, through the API like the real one: sets a pod's phase,
/// readiness, IP and container statuses, and finishes graceful deletions. Tests call it explicitly, so what a
/// test asserts never depends on timing of a background loop.
/// </summary>
public sealed class FakeKubelet(IKubernetes client)
{
    private int _nextIp = 2;

    /// <summary>Marks the pod Running (and Ready unless <paramref name="ready"/> is false), with an IP, on <paramref name="nodeName"/> if unbound.</summary>
    public async Task RunAsync(V1Pod pod, bool ready = true, string? nodeName = null)
    {
        if (pod.Spec.NodeName is null && nodeName is not null)
        {
            await client.CoreV1.CreateNamespacedPodBindingAsync(
                new V1Binding { Metadata = new V1ObjectMeta { Name = pod.Metadata.Name }, Target = new V1ObjectReference { Kind = "Node", Name = nodeName } },
                pod.Metadata.Name, pod.Metadata.NamespaceProperty);
        }

        var ip = $"10.42.0.{Interlocked.Increment(ref _nextIp) % 250 + 2}";
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var condition = ready ? "True" : "False";
        var status = new Dictionary<string, object?>
        {
            ["phase"] = "Running",
            ["podIP"] = ip,
            ["podIPs"] = new[] { new Dictionary<string, string> { ["ip"] = ip } },
            ["startTime"] = now,
            ["conditions"] = new[]
            {
                new Dictionary<string, object?> { ["type"] = "Initialized", ["status"] = "True", ["lastTransitionTime"] = now },
                new Dictionary<string, object?> { ["type"] = "ContainersReady", ["status"] = condition, ["lastTransitionTime"] = now },
                new Dictionary<string, object?> { ["type"] = "Ready", ["status"] = condition, ["lastTransitionTime"] = now },
            },
            ["containerStatuses"] = pod.Spec.Containers.Select(c => new Dictionary<string, object?>
            {
                ["name"] = c.Name,
                ["image"] = c.Image,
                ["imageID"] = "",
                ["ready"] = ready,
                ["restartCount"] = 0,
                ["started"] = true,
                ["state"] = new Dictionary<string, object?> { ["running"] = new Dictionary<string, object?> { ["startedAt"] = now } },
            }).ToArray(),
        };
        await PatchStatusAsync(pod, status);
    }

    /// <summary>Ends the pod with phase Succeeded or Failed (exit code 0 or 1).</summary>
    public Task FinishAsync(V1Pod pod, bool succeeded)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var status = new Dictionary<string, object?>
        {
            ["phase"] = succeeded ? "Succeeded" : "Failed",
            ["conditions"] = new[]
            {
                new Dictionary<string, object?> { ["type"] = "Ready", ["status"] = "False", ["reason"] = "PodCompleted", ["lastTransitionTime"] = now },
            },
            ["containerStatuses"] = pod.Spec.Containers.Select(c => new Dictionary<string, object?>
            {
                ["name"] = c.Name,
                ["image"] = c.Image,
                ["imageID"] = "",
                ["ready"] = false,
                ["restartCount"] = 0,
                ["state"] = new Dictionary<string, object?>
                {
                    ["terminated"] = new Dictionary<string, object?>
                    {
                        ["exitCode"] = succeeded ? 0 : 1,
                        ["reason"] = succeeded ? "Completed" : "Error",
                        ["startedAt"] = now,
                        ["finishedAt"] = now,
                    },
                },
            }).ToArray(),
        };
        return PatchStatusAsync(pod, status);
    }

    /// <summary>Removes pods that are Terminating, as a kubelet does once their containers stopped (grace period 0 delete).</summary>
    public async Task FinishTerminatingAsync(string ns)
    {
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns);
        foreach (var pod in pods.Items)
        {
            if (pod.Metadata.DeletionTimestamp is null) continue;
            try
            {
                await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }
        }
    }

    private Task PatchStatusAsync(V1Pod pod, Dictionary<string, object?> status) =>
        client.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch(JsonSerializer.Serialize(new Dictionary<string, object?> { ["status"] = status }), V1Patch.PatchType.MergePatch),
            pod.Metadata.Name, pod.Metadata.NamespaceProperty);
}
