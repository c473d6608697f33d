using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Scheduler.Tests.Testing;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

/// <summary>
/// One test's corner of the shared cluster: its own namespace, nodes with names and a label value of its own
/// (<see cref="TestLabel"/>=<see cref="Id"/>) that its pods select, and cleanup of pods, nodes and
/// PriorityClasses so later scenarios do not see them. Nodes are cluster-scoped, so this label is what keeps the
/// pods of one scenario off the nodes of another.
/// </summary>
internal sealed class PluginScenario : IAsyncDisposable
{
    /// <summary>The node label each scenario's pods select by default.</summary>
    public const string TestLabel = "navarch.test/scenario";

    public const string DefaultScheduler = "default-scheduler";

    private readonly List<string> _nodes = [];
    private readonly List<string> _priorityClasses = [];

    private PluginScenario(IKubernetes admin, string ns)
    {
        Admin = admin;
        Namespace = ns;
        Id = ns;
    }

    public IKubernetes Admin { get; }

    public string Namespace { get; }

    /// <summary>Unique to this scenario (the namespace name, which carries a random suffix).</summary>
    public string Id { get; }

    public static async Task<PluginScenario> StartAsync(SchedulerClusterFixture fixture, string prefix) =>
        new(fixture.Admin, await fixture.Cluster.NamespaceAsync(prefix));

    public string NodeName(string suffix) => $"{Id}-{suffix}";

    /// <summary>
    /// Creates a Ready node named <see cref="NodeName"/>(<paramref name="suffix"/>) with the scenario label,
    /// <c>kubernetes.io/hostname</c>, and the given allocatable (capacity alike); <paramref name="configure"/> adds labels, taints, ...
    /// </summary>
    public async Task<V1Node> CreateNodeAsync(string suffix, string cpu = "4", string memory = "8Gi", Action<NodeBuilder>? configure = null)
    {
        var builder = NodeBuilder.Node(NodeName(suffix))
            .Label(TestLabel, Id)
            .Allocatable(("cpu", cpu), ("memory", memory), ("pods", "110"));
        configure?.Invoke(builder);
        var node = builder.Build();
        node.Metadata.Uid = null;
        node.Status.Capacity = node.Status.Allocatable.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value.ToString()));
        var created = await Admin.CoreV1.CreateNodeAsync(node);
        _nodes.Add(created.Metadata.Name);
        if (created.Status?.Allocatable is null)
        {
            // A server that drops status on create (as most kinds do) takes it through the status subresource.
            created.Status = node.Status;
            created = await Admin.CoreV1.ReplaceNodeStatusAsync(created, created.Metadata.Name);
        }

        return created;
    }

    /// <summary>A pod in this scenario's namespace that selects this scenario's nodes.</summary>
    public PodBuilder Pod(string name) => PodBuilder.Pod(name, Namespace).NodeSelector(TestLabel, Id);

    /// <summary>A pod with no node selector: only for scenarios about node selection itself.</summary>
    public PodBuilder UnselectedPod(string name) => PodBuilder.Pod(name, Namespace);

    /// <summary>Creates the pod as the API receives it (no uid or status); deletes are immediate (grace period 0).</summary>
    public Task<V1Pod> CreatePodAsync(V1Pod pod)
    {
        pod.Metadata.Uid = null;
        pod.Metadata.CreationTimestamp = null;
        pod.Status = null;
        pod.Spec.TerminationGracePeriodSeconds ??= 0;
        return Admin.CoreV1.CreateNamespacedPodAsync(pod, Namespace);
    }

    public async Task<V1Pod?> GetPodAsync(string name)
    {
        try
        {
            return await Admin.CoreV1.ReadNamespacedPodAsync(name, Namespace);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Waits until the pod has spec.nodeName; on timeout, says what its PodScheduled condition says.</summary>
    public Task<V1Pod> WaitForBoundAsync(string name, TimeSpan? timeout = null)
    {
        V1Pod? last = null;
        return Eventually.ReturnsAsync(
            async () =>
            {
                last = await GetPodAsync(name);
                return string.IsNullOrEmpty(last?.Spec?.NodeName) ? null : last;
            },
            () => $"pod {Namespace}/{name} to be bound (PodScheduled: {Describe(PodScheduled(last))})",
            timeout);
    }

    /// <summary>Waits for PodScheduled=False with reason Unschedulable, as the scheduler reports a FitError.</summary>
    public Task<V1PodCondition> WaitForUnschedulableAsync(string name)
    {
        V1Pod? last = null;
        return Eventually.ReturnsAsync(
            async () =>
            {
                last = await GetPodAsync(name);
                return PodScheduled(last) is { Status: "False", Reason: "Unschedulable" } condition ? condition : null;
            },
            () => $"pod {Namespace}/{name} to be Unschedulable (node: {last?.Spec?.NodeName ?? "none"}, PodScheduled: {Describe(PodScheduled(last))})");
    }

    /// <summary>Waits until the pod has been unschedulable with a message containing <paramref name="reason"/>.</summary>
    public Task<V1PodCondition> WaitForUnschedulableAsync(string name, string reason)
    {
        V1Pod? last = null;
        return Eventually.ReturnsAsync(
            async () =>
            {
                last = await GetPodAsync(name);
                return PodScheduled(last) is { Status: "False", Reason: "Unschedulable" } condition && condition.Message.Contains(reason, StringComparison.Ordinal)
                    ? condition
                    : null;
            },
            () => $"pod {Namespace}/{name} to be Unschedulable because \"{reason}\" (PodScheduled: {Describe(PodScheduled(last))})");
    }

    /// <summary>Events in this namespace about the named object, with the given reason (any when null).</summary>
    public async Task<List<Corev1Event>> EventsAsync(string involvedName, string? reason = null)
    {
        var events = await Admin.CoreV1.ListNamespacedEventAsync(Namespace);
        var found = new List<Corev1Event>();
        foreach (var ev in events.Items)
        {
            if (ev.InvolvedObject?.Name == involvedName && (reason is null || ev.Reason == reason)) found.Add(ev);
        }

        return found;
    }

    public Task<Corev1Event> WaitForEventAsync(string involvedName, string reason) =>
        Eventually.ReturnsAsync(
            async () => (await EventsAsync(involvedName, reason)) is [var first, ..] ? first : null,
            () => $"a {reason} event about {Namespace}/{involvedName}");

    /// <summary>Deletes at once: a bound pod would otherwise wait for a kubelet that does not exist.</summary>
    public Task DeletePodNowAsync(string name) =>
        Admin.CoreV1.DeleteNamespacedPodAsync(name, Namespace, new V1DeleteOptions { GracePeriodSeconds = 0 });

    public Task<V1Node> PatchNodeAsync(string suffix, string mergePatch) =>
        Admin.CoreV1.PatchNodeAsync(new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), NodeName(suffix));

    public Task<V1Pod> PatchPodAsync(string name, string mergePatch) =>
        Admin.CoreV1.PatchNamespacedPodAsync(new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), name, Namespace);

    /// <summary>Creates a PriorityClass named after the scenario; returns its name.</summary>
    public async Task<string> CreatePriorityClassAsync(string suffix, int value, string? preemptionPolicy = null)
    {
        var name = $"{Id}-{suffix}";
        await Admin.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass
        {
            Metadata = new V1ObjectMeta { Name = name },
            Value = value,
            PreemptionPolicy = preemptionPolicy,
        });
        _priorityClasses.Add(name);
        return name;
    }

    /// <summary>Names of this namespace's pods bound to <paramref name="nodeName"/>.</summary>
    public async Task<List<string>> PodsOnNodeAsync(string nodeName)
    {
        var pods = await Admin.CoreV1.ListNamespacedPodAsync(Namespace);
        var names = new List<string>();
        foreach (var pod in pods.Items)
        {
            if (pod.Spec?.NodeName == nodeName) names.Add(pod.Metadata.Name);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public static V1PodCondition? PodScheduled(V1Pod? pod)
    {
        if (pod?.Status?.Conditions is not { } conditions) return null;
        foreach (var condition in conditions)
        {
            if (condition.Type == "PodScheduled") return condition;
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        // Pending pods left behind would be retried on every node event of later scenarios.
        await IgnoreNotFound(() => Admin.CoreV1.DeleteCollectionNamespacedPodAsync(Namespace, gracePeriodSeconds: 0));
        foreach (var node in _nodes) await IgnoreNotFound(() => Admin.CoreV1.DeleteNodeAsync(node));
        foreach (var priorityClass in _priorityClasses) await IgnoreNotFound(() => Admin.SchedulingV1.DeletePriorityClassAsync(priorityClass));
    }

    private static string Describe(V1PodCondition? condition) =>
        condition is null ? "none" : $"{condition.Status} {condition.Reason}: {condition.Message}";

    private static async Task IgnoreNotFound(Func<Task> delete)
    {
        try
        {
            await delete();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }
}
