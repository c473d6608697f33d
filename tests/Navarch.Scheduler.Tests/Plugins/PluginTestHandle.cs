using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;

namespace Navarch.Scheduler.Tests.Plugins;

/// <summary>
/// A framework handle for plugin unit tests: a fixed node snapshot, a <see cref="FakeSchedulerClient"/>, and no
/// profile to run (the Run* methods are not supported; tests of single plugins do not need them).
/// </summary>
internal sealed class PluginTestHandle : IFrameworkHandle, INodeInfoLister, IPodNominator
{
    private readonly List<NodeInfo> _nodes;

    public PluginTestHandle(params NodeInfo[] nodes)
    {
        _nodes = [.. nodes];
        Client = FakeClient;
    }

    public FakeSchedulerClient FakeClient { get; } = new();

    public List<(string Type, string Reason, string Message)> Events { get; } = [];

    public INodeInfoLister SnapshotNodeInfos => this;

    /// <summary>The client plugins see; the fake by default, replaceable to inject failures.</summary>
    public ISchedulerClient Client { get; set; }

    public IPodNominator Nominator => this;

    public TimeProvider Time => TimeProvider.System;

    public string ProfileName => "default-scheduler";

    public void RecordEvent(V1Pod regarding, string type, string reason, string action, string message) =>
        Events.Add((type, reason, message));

    public Status RunFilterPluginsWithNominatedPods(CycleState state, V1Pod pod, NodeInfo nodeInfo) =>
        throw new NotSupportedException("single-plugin tests run no profile");

    public Status RunPreFilterExtensionAddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo) =>
        throw new NotSupportedException("single-plugin tests run no profile");

    public Status RunPreFilterExtensionRemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo) =>
        throw new NotSupportedException("single-plugin tests run no profile");

    public IReadOnlyList<NodeInfo> List() => _nodes;

    public IReadOnlyList<NodeInfo> HavePodsWithAffinity() => _nodes.FindAll(n => n.PodsWithAffinity.Count > 0);

    public IReadOnlyList<NodeInfo> HavePodsWithRequiredAntiAffinity() => _nodes.FindAll(n => n.PodsWithRequiredAntiAffinity.Count > 0);

    public NodeInfo? Get(string nodeName) => _nodes.Find(n => n.Name == nodeName);

    public IReadOnlyList<PodInfo> NominatedPodsForNode(string nodeName) => [];

    public void AddNominatedPod(PodInfo pod, string nodeName)
    {
    }

    public void DeleteNominatedPodIfExists(V1Pod pod)
    {
    }
}
