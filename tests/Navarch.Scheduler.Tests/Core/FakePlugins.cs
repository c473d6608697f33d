using System.Collections.Concurrent;
using k8s.Models;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Runtime;

namespace Navarch.Scheduler.Tests.Core;

/// <summary>Orders by priority, then by queue timestamp, as PrioritySort does.</summary>
internal sealed class FakeSort : IQueueSortPlugin
{
    public string Name => "FakeSort";

    public bool Less(QueuedPodInfo a, QueuedPodInfo b) =>
        a.PodInfo.Priority > b.PodInfo.Priority || (a.PodInfo.Priority == b.PodInfo.Priority && a.Timestamp < b.Timestamp);
}

internal sealed class FakeBinder(IFrameworkHandle handle) : IBindPlugin
{
    public string Name => "FakeBinder";

    public async Task<Status> BindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        await handle.Client.BindAsync(pod, nodeName, cancellationToken);
        return Status.Success;
    }
}

/// <summary>A filter driven by a delegate, registering for the given events.</summary>
internal sealed class FakeFilter(string name, Func<V1Pod, NodeInfo, Status> filter, params ClusterEvent[] events)
    : IFilterPlugin, IEnqueueExtensions
{
    public string Name => name;

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo) => filter(pod, nodeInfo);

    public IReadOnlyList<ClusterEvent> EventsToRegister() => events;
}

internal sealed class FakeScore(string name, Func<NodeInfo, long> score) : IScorePlugin
{
    public string Name => name;

    public IScoreExtensions? ScoreExtensions => null;

    public (long Score, Status Status) Score(CycleState state, V1Pod pod, NodeInfo nodeInfo) => (score(nodeInfo), Status.Success);
}

/// <summary>Gates pods labelled gated=true, as SchedulingGates gates pods with gates.</summary>
internal sealed class FakeGate : IPreEnqueuePlugin
{
    public string Name => "FakeGate";

    public Status PreEnqueue(V1Pod pod) =>
        pod.Metadata.Labels?.ContainsKey("gated") == true ? Status.UnschedulableAndUnresolvable("waiting for gate") : Status.Success;
}

internal sealed class FakePostFilter(string message) : IPostFilterPlugin
{
    public string Name => "FakePreemption";

    public Task<(PostFilterResult? Result, Status Status)> PostFilterAsync(
        CycleState state, V1Pod pod, NodeToStatus filteredNodeStatus, CancellationToken cancellationToken) =>
        Task.FromResult<(PostFilterResult?, Status)>((null, Status.Unschedulable(message)));
}

internal sealed class FakePermit(TimeSpan wait) : IPermitPlugin
{
    public string Name => "FakePermit";

    public (Status Status, TimeSpan Timeout) Permit(CycleState state, V1Pod pod, string nodeName) =>
        (Status.Create(StatusCode.Wait), wait);
}

internal sealed class RecordingEvents : ISchedulerEvents
{
    public ConcurrentQueue<(string Pod, string Type, string Reason, string Message)> Events { get; } = new();

    public void Record(V1Pod regarding, string type, string reason, string action, string message) =>
        Events.Enqueue((PodKey.Of(regarding), type, reason, message));
}

/// <summary>Registries and profiles made of fake plugins.</summary>
internal static class Fakes
{
    public static Dictionary<string, PluginFactory> Registry(params IPlugin[] plugins)
    {
        var registry = new Dictionary<string, PluginFactory>
        {
            ["FakeSort"] = (_, _) => new FakeSort(),
            ["FakeBinder"] = (_, h) => new FakeBinder(h),
        };
        foreach (var plugin in plugins) registry[plugin.Name] = (_, _) => plugin;
        return registry;
    }

    /// <summary>A profile with no defaults: FakeSort, the given plugins, FakeBinder.</summary>
    public static SchedulerProfile Profile(string schedulerName = "default-scheduler", params string[] plugins)
    {
        List<PluginRef> enabled = [new("FakeSort")];
        foreach (var p in plugins) enabled.Add(new PluginRef(p));
        enabled.Add(new PluginRef("FakeBinder"));
        return new SchedulerProfile
        {
            SchedulerName = schedulerName,
            Plugins = new PluginsConfiguration { MultiPoint = new PluginSet { Enabled = enabled, Disabled = ["*"] } },
        };
    }

    public static SchedulerConfiguration Config(params string[] plugins) =>
        new() { Profiles = [Profile("default-scheduler", plugins)], LeaderElection = new LeaderElectionConfiguration() };
}
