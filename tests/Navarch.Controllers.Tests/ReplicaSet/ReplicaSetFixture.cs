using k8s;
using k8s.Models;
using Navarch.Controllers.ReplicaSet;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.ReplicaSet;

/// <summary>One API server with the replicaset controller running, shared by the tests of a class (each in its own namespace).</summary>
public sealed class ReplicaSetFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public IKubernetes Admin => Cluster.Admin;

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAsync([ReplicaSetController.Descriptor]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();

    /// <summary>A ReplicaSet selecting <c>app=<paramref name="app"/></c> with a one-container template.</summary>
    public static V1ReplicaSet NewReplicaSet(string name, string app, int replicas, int minReadySeconds = 0, string? priorityClassName = null) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "ReplicaSet",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ReplicaSetSpec
        {
            Replicas = replicas,
            MinReadySeconds = minReadySeconds,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app, ["tier"] = "web" } },
                Spec = new V1PodSpec
                {
                    PriorityClassName = priorityClassName,
                    Containers = [new V1Container { Name = "web", Image = "registry.k8s.io/pause:3.10" }],
                },
            },
        },
    };

    /// <summary>The namespace's pods that are not being deleted.</summary>
    public async Task<List<V1Pod>> LivePodsAsync(string ns)
    {
        var pods = await Admin.CoreV1.ListNamespacedPodAsync(ns);
        return [.. pods.Items.Where(p => p.Metadata.DeletionTimestamp is null)];
    }

    public Task<V1ReplicaSet> ReadAsync(string ns, string name) => Admin.AppsV1.ReadNamespacedReplicaSetAsync(name, ns);

    public async Task ScaleAsync(string ns, string name, int replicas)
    {
        var patch = new V1Patch($"{{\"spec\":{{\"replicas\":{replicas}}}}}", V1Patch.PatchType.MergePatch);
        await Admin.AppsV1.PatchNamespacedReplicaSetAsync(patch, name, ns);
    }

    /// <summary>Waits for <paramref name="count"/> live pods and returns them.</summary>
    public Task<List<V1Pod>> WaitForPodsAsync(string ns, int count, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(() => LivePodsAsync(ns), pods => pods.Count == count, $"{count} live pods in {ns}", timeout);

    /// <summary>Waits until the ReplicaSet's status satisfies <paramref name="condition"/>.</summary>
    public Task<V1ReplicaSet> WaitForStatusAsync(string ns, string name, Func<V1ReplicaSetStatus, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(() => ReadAsync(ns, name), rs => rs.Status is { } status && condition(status), what, timeout);

    /// <summary>Checks <paramref name="invariant"/> every 50 ms for <paramref name="duration"/>; fails the first time it is false.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> invariant, TimeSpan duration, string what)
    {
        var until = DateTime.UtcNow + duration;
        do
        {
            Assert.True(await invariant(), $"no longer true: {what}");
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < until);
    }
}
