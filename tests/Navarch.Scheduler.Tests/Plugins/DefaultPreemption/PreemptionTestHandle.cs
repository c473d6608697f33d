using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;

namespace Navarch.Scheduler.Tests.Plugins.DefaultPreemption;

/// <summary>
/// An <see cref="IFrameworkHandle"/> for plugin tests: an in-memory snapshot, a fake client, and a profile made of
/// the given PreFilter and Filter plugins, run the way the framework runs them (PreFilter Skip skips the plugin's
/// Filter and extensions; nominated pods of at least the pod's priority are counted in Filter).
/// </summary>
internal sealed class PreemptionTestHandle : IFrameworkHandle
{
    private readonly List<IPlugin> _plugins = [];

    public PreemptionTestHandle(params NodeInfo[] nodes)
    {
        SnapshotNodeInfos = new InMemoryNodeInfoLister(nodes);
    }

    public INodeInfoLister SnapshotNodeInfos { get; }

    public FakeSchedulerClient FakeClient { get; } = new();

    public ISchedulerClient Client => FakeClient;

    public InMemoryNominator FakeNominator { get; } = new();

    public IPodNominator Nominator => FakeNominator;

    public FakeTimeProvider FakeTime { get; } = new(new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero));

    public TimeProvider Time => FakeTime;

    public string ProfileName => "default-scheduler";

    public List<(string Pod, string Type, string Reason, string Action, string Message)> Events { get; } = [];

    /// <summary>Adds plugins to the profile (PreFilter and Filter are run for those that implement them).</summary>
    public PreemptionTestHandle With(params IPlugin[] plugins)
    {
        _plugins.AddRange(plugins);
        return this;
    }

    public void RecordEvent(V1Pod regarding, string type, string reason, string action, string message)
    {
        lock (Events) Events.Add((PodKey.Of(regarding), type, reason, action, message));
    }

    /// <summary>Runs every PreFilter plugin, as a scheduling cycle would, and returns the state.</summary>
    public CycleState PreFilter(V1Pod pod)
    {
        var state = new CycleState();
        foreach (var plugin in _plugins.OfType<IPreFilterPlugin>())
        {
            var (_, status) = plugin.PreFilter(state, pod, SnapshotNodeInfos.List());
            if (status.IsSkip) state.SkipFilterPlugins.Add(plugin.Name);
            else Assert.True(status.IsSuccess, $"{plugin.Name} PreFilter: {status}");
        }

        return state;
    }

    /// <summary>Runs Filter on every node and returns the statuses of the rejected ones, as PostFilter receives them.</summary>
    public NodeToStatus FilterAll(CycleState state, V1Pod pod)
    {
        var statuses = new NodeToStatus();
        foreach (var node in SnapshotNodeInfos.List())
        {
            var status = RunFilterPluginsWithNominatedPods(state, pod, node);
            if (!status.IsSuccess) statuses.Set(node.Name, status);
        }

        return statuses;
    }

    public Status RunFilterPluginsWithNominatedPods(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var priority = pod.Spec?.Priority ?? 0;
        var nominated = Nominator.NominatedPodsForNode(nodeInfo.Name)
            .Where(p => p.Uid != pod.Metadata?.Uid && p.Priority >= priority)
            .ToList();
        if (nominated.Count > 0)
        {
            var stateWithNominated = state.Clone();
            var nodeWithNominated = nodeInfo.Clone();
            foreach (var p in nominated)
            {
                nodeWithNominated.AddPod(p);
                var added = RunPreFilterExtensionAddPod(stateWithNominated, pod, p, nodeWithNominated);
                if (!added.IsSuccess) return added;
            }

            var withNominated = RunFilters(stateWithNominated, pod, nodeWithNominated);
            if (!withNominated.IsSuccess) return withNominated;
        }

        return RunFilters(state, pod, nodeInfo);
    }

    public Status RunPreFilterExtensionAddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo)
    {
        foreach (var plugin in _plugins.OfType<IPreFilterPlugin>())
        {
            if (plugin.PreFilterExtensions is not { } extensions || state.SkipFilterPlugins.Contains(plugin.Name)) continue;
            var status = extensions.AddPod(state, podToSchedule, podToAdd, nodeInfo);
            if (!status.IsSuccess) return status;
        }

        return Status.Success;
    }

    public Status RunPreFilterExtensionRemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo)
    {
        foreach (var plugin in _plugins.OfType<IPreFilterPlugin>())
        {
            if (plugin.PreFilterExtensions is not { } extensions || state.SkipFilterPlugins.Contains(plugin.Name)) continue;
            var status = extensions.RemovePod(state, podToSchedule, podToRemove, nodeInfo);
            if (!status.IsSuccess) return status;
        }

        return Status.Success;
    }

    private Status RunFilters(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        foreach (var plugin in _plugins.OfType<IFilterPlugin>())
        {
            if (state.SkipFilterPlugins.Contains(plugin.Name)) continue;
            var status = plugin.Filter(state, pod, nodeInfo);
            if (!status.IsSuccess) return status.WithPlugin(plugin.Name);
        }

        return Status.Success;
    }
}
