using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Models;

namespace Navarch.Scheduler.Tests.Integration.Hosting;

/// <summary>
/// Objects the hosting tests create through the API, and waits on what the scheduler does with them. Every wait polls
/// with a deadline and reports what it last saw when the deadline passes.
/// </summary>
internal static class Cluster
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>A short random suffix for names and labels unique to one test.</summary>
    public static string Unique() => Guid.NewGuid().ToString("N")[..8];

    /// <summary>A ready node with this allocatable cpu and memory and these labels (plus kubernetes.io/hostname).</summary>
    public static async Task<V1Node> CreateNodeAsync(
        IKubernetes client, string name, string cpu, string memory, IReadOnlyDictionary<string, string> labels, V1Taint? taint = null)
    {
        var allLabels = new Dictionary<string, string>(labels) { ["kubernetes.io/hostname"] = name };
        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(cpu),
            ["memory"] = new(memory),
            ["pods"] = new("110"),
        };
        return await client.CoreV1.CreateNodeAsync(new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = name, Labels = allLabels },
            Spec = new V1NodeSpec { Taints = taint is null ? null : [taint] },
            Status = new V1NodeStatus
            {
                Capacity = resources,
                Allocatable = resources,
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
            },
        });
    }

    /// <summary>
    /// A pod asking for cpu and memory, kept to nodes with <paramref name="nodeSelector"/>; <paramref name="nodeName"/>
    /// creates it already bound (as a kubelet's or another scheduler's pod).
    /// </summary>
    public static Task<V1Pod> CreatePodAsync(
        IKubernetes client,
        string ns,
        string name,
        IReadOnlyDictionary<string, string> nodeSelector,
        string cpu = "100m",
        string memory = "128Mi",
        string? schedulerName = null,
        string? nodeName = null) =>
        client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                Spec = new V1PodSpec
                {
                    SchedulerName = schedulerName,
                    NodeName = nodeName,
                    NodeSelector = new Dictionary<string, string>(nodeSelector),
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "main",
                            Image = "busybox",
                            Resources = new V1ResourceRequirements
                            {
                                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) },
                            },
                        },
                    ],
                },
            },
            ns);

    /// <summary>Waits until the pod is bound and returns its node.</summary>
    public static async Task<string> WaitForNodeAsync(IKubernetes client, string ns, string name, TimeSpan? deadline = null)
    {
        var pod = await UntilAsync(
            () => client.CoreV1.ReadNamespacedPodAsync(name, ns),
            p => !string.IsNullOrEmpty(p.Spec.NodeName),
            $"pod {ns}/{name} to be bound",
            p => $"nodeName '{p.Spec.NodeName}', conditions: {string.Join("; ", p.Status?.Conditions?.Select(c => $"{c.Type}={c.Status} {c.Message}") ?? [])}",
            deadline);
        return pod.Spec.NodeName;
    }

    /// <summary>Waits until the pod has an event with this reason and returns it.</summary>
    public static async Task<Corev1Event> WaitForEventAsync(IKubernetes client, string ns, string podName, string reason)
    {
        var events = await UntilAsync(
            () => EventsForAsync(client, ns, podName),
            list => list.Any(e => e.Reason == reason),
            $"a {reason} event for pod {ns}/{podName}",
            list => $"events: {string.Join("; ", list.Select(e => $"{e.Reason} from {e.Source?.Component}: {e.Message}"))}");
        return events.First(e => e.Reason == reason);
    }

    public static async Task<IReadOnlyList<Corev1Event>> EventsForAsync(IKubernetes client, string ns, string podName)
    {
        var list = await client.CoreV1.ListNamespacedEventAsync(ns);
        return list.Items.Where(e => e.InvolvedObject?.Kind == "Pod" && e.InvolvedObject.Name == podName).ToList();
    }

    /// <summary>Deletes the test's pods so that schedulers started by later tests have nothing of this test to schedule.</summary>
    public static async Task DeletePodsAsync(IKubernetes client, string ns)
    {
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns);
        foreach (var pod in pods.Items)
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        }
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds; fails with the last value seen at the deadline.</summary>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> read, Func<T, bool> done, string waitingFor, Func<T, string> describe, TimeSpan? deadline = null)
    {
        var stop = DateTime.UtcNow + (deadline ?? Deadline);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow >= stop)
            {
                Assert.Fail($"timed out after {deadline ?? Deadline} waiting for {waitingFor}; last seen: {describe(value)}");
            }

            await Task.Delay(PollInterval);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
