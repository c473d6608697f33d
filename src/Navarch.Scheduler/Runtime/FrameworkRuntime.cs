using System.Collections.Concurrent;
using k8s.Models;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Runtime;

/// <summary>
/// One profile's plugins, ordered per extension point, and the code that runs them, as kube-scheduler's
/// frameworkImpl. Every status it returns names the plugin that produced it.
/// </summary>
public sealed partial class FrameworkRuntime : IFrameworkHandle
{
    /// <summary>The longest a Permit plugin may make a pod wait, as kube-scheduler's maxTimeout.</summary>
    public static readonly TimeSpan MaxPermitTimeout = TimeSpan.FromMinutes(15);

    private readonly ISchedulerEvents _events;
    private readonly int _parallelism;
    private readonly Dictionary<string, IPlugin> _plugins = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<ClusterEvent>?> _pluginEvents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WaitingPod> _waitingPods = new(StringComparer.Ordinal);
    private readonly IQueueSortPlugin _queueSort;

    /// <summary>
    /// Builds the profile's plugins from <paramref name="registry"/>: defaults merged into multiPoint, multiPoint
    /// expanded to each extension point its plugin implements, explicit extension point entries first.
    /// Throws <see cref="SchedulerConfigurationException"/> for unknown plugins or a profile without a queue sort or binder.
    /// </summary>
    public FrameworkRuntime(
        SchedulerProfile profile,
        IReadOnlyDictionary<string, PluginFactory> registry,
        ISchedulerClient client,
        ISchedulerEvents events,
        TimeProvider time,
        IPodNominator nominator,
        INodeInfoLister snapshot,
        int parallelism = 16)
    {
        Profile = profile;
        Client = client;
        _events = events;
        Time = time;
        Nominator = nominator;
        SnapshotNodeInfos = snapshot;
        _parallelism = Math.Max(1, parallelism);

        var multiPoint = PluginExpansion.MergeWithDefaults(profile.Plugins.MultiPoint);
        foreach (var plugin in multiPoint) Instantiate(plugin.Name, registry);
        foreach (var (_, set) in profile.Plugins.Points)
        {
            foreach (var plugin in set.Enabled) Instantiate(plugin.Name, registry);
        }

        PreEnqueuePlugins = Expand<IPreEnqueuePlugin>(ExtensionPoint.PreEnqueue, multiPoint);
        var queueSort = Expand<IQueueSortPlugin>(ExtensionPoint.QueueSort, multiPoint);
        PreFilterPlugins = Expand<IPreFilterPlugin>(ExtensionPoint.PreFilter, multiPoint);
        FilterPlugins = Expand<IFilterPlugin>(ExtensionPoint.Filter, multiPoint);
        PostFilterPlugins = Expand<IPostFilterPlugin>(ExtensionPoint.PostFilter, multiPoint);
        PreScorePlugins = Expand<IPreScorePlugin>(ExtensionPoint.PreScore, multiPoint);
        ScorePlugins = Expand<IScorePlugin>(ExtensionPoint.Score, multiPoint);
        ReservePlugins = Expand<IReservePlugin>(ExtensionPoint.Reserve, multiPoint);
        PermitPlugins = Expand<IPermitPlugin>(ExtensionPoint.Permit, multiPoint);
        PreBindPlugins = Expand<IPreBindPlugin>(ExtensionPoint.PreBind, multiPoint);
        BindPlugins = Expand<IBindPlugin>(ExtensionPoint.Bind, multiPoint);
        PostBindPlugins = Expand<IPostBindPlugin>(ExtensionPoint.PostBind, multiPoint);

        if (queueSort.Count != 1)
        {
            throw new SchedulerConfigurationException(
                $"profile \"{profile.SchedulerName}\": one queue sort plugin required, found {queueSort.Count}");
        }

        if (BindPlugins.Count == 0)
        {
            throw new SchedulerConfigurationException($"profile \"{profile.SchedulerName}\": at least one bind plugin is needed");
        }

        _queueSort = queueSort[0];
        ScoreWeights = ComputeWeights(profile, multiPoint);
        RegisterEvents();
    }

    public SchedulerProfile Profile { get; }

    public string ProfileName => Profile.SchedulerName;

    public INodeInfoLister SnapshotNodeInfos { get; }

    public ISchedulerClient Client { get; }

    public IPodNominator Nominator { get; }

    public TimeProvider Time { get; }

    public IReadOnlyList<IPreEnqueuePlugin> PreEnqueuePlugins { get; }

    public IReadOnlyList<IPreFilterPlugin> PreFilterPlugins { get; }

    public IReadOnlyList<IFilterPlugin> FilterPlugins { get; }

    public IReadOnlyList<IPostFilterPlugin> PostFilterPlugins { get; }

    public IReadOnlyList<IPreScorePlugin> PreScorePlugins { get; }

    public IReadOnlyList<IScorePlugin> ScorePlugins { get; }

    public IReadOnlyList<IReservePlugin> ReservePlugins { get; }

    public IReadOnlyList<IPermitPlugin> PermitPlugins { get; }

    public IReadOnlyList<IPreBindPlugin> PreBindPlugins { get; }

    public IReadOnlyList<IBindPlugin> BindPlugins { get; }

    public IReadOnlyList<IPostBindPlugin> PostBindPlugins { get; }

    /// <summary>Score plugin weights by name (explicit score weight, else multiPoint weight, else 1).</summary>
    public IReadOnlyDictionary<string, int> ScoreWeights { get; }

    public string QueueSortPluginName => _queueSort.Name;

    /// <summary>The plugins of the profile by name.</summary>
    public IReadOnlyDictionary<string, IPlugin> Plugins => _plugins;

    /// <summary>
    /// For each plugin that can reject a pod, the cluster events that may make it schedulable again; null means
    /// every event (the plugin does not implement <see cref="IEnqueueExtensions"/>).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ClusterEvent>?> EventsToRegister => _pluginEvents;

    public void RecordEvent(V1Pod regarding, string type, string reason, string action, string message) =>
        _events.Record(regarding, type, reason, action, message);

    /// <summary>True when <paramref name="a"/> goes before <paramref name="b"/> in the active queue.</summary>
    public bool QueueSortLess(QueuedPodInfo a, QueuedPodInfo b) => _queueSort.Less(a, b);

    /// <summary>Runs PreEnqueue plugins; the first non-success (naming its plugin) keeps the pod out of the active queue.</summary>
    public Status RunPreEnqueuePlugins(V1Pod pod)
    {
        foreach (var plugin in PreEnqueuePlugins)
        {
            var status = plugin.PreEnqueue(pod);
            if (!status.IsSuccess) return status.WithPlugin(plugin.Name);
        }

        return Status.Success;
    }

    /// <summary>
    /// True when <paramref name="happened"/> may make the pod schedulable: some plugin that rejected it registered
    /// a covering event, or no plugin is known to have rejected it.
    /// </summary>
    public bool IsInterested(QueuedPodInfo pod, ClusterEvent happened)
    {
        if (pod.UnschedulablePlugins.Count == 0 && pod.PendingPlugins.Count == 0) return true;
        return AnyInterested(pod.UnschedulablePlugins, happened) || AnyInterested(pod.PendingPlugins, happened);
    }

    private bool AnyInterested(HashSet<string> plugins, ClusterEvent happened)
    {
        foreach (var name in plugins)
        {
            if (!_pluginEvents.TryGetValue(name, out var registered) || registered is null) return true;
            foreach (var ev in registered)
            {
                if (ev.Covers(happened)) return true;
            }
        }

        return false;
    }

    private void Instantiate(string name, IReadOnlyDictionary<string, PluginFactory> registry)
    {
        if (_plugins.ContainsKey(name)) return;
        if (!registry.TryGetValue(name, out var factory))
        {
            throw new SchedulerConfigurationException($"profile \"{Profile.SchedulerName}\": plugin \"{name}\" does not exist");
        }

        _plugins[name] = factory(Profile.ArgsFor(name)?.Args, this);
    }

    /// <summary>
    /// kube-scheduler's expandMultiPointPlugins: explicitly enabled plugins that are also in multiPoint keep their
    /// explicit position first, then multiPoint plugins not disabled here, then the other explicit ones.
    /// </summary>
    private List<T> Expand<T>(ExtensionPoint point, List<PluginRef> multiPoint)
        where T : class, IPlugin
    {
        var set = Profile.Plugins.Get(point);
        List<string> explicitNames = [];
        foreach (var plugin in set.Enabled)
        {
            if (!explicitNames.Contains(plugin.Name)) explicitNames.Add(plugin.Name);
        }

        List<string> overrides = [];
        List<string> fromMultiPoint = [];
        if (!set.DisablesAll)
        {
            foreach (var plugin in multiPoint)
            {
                if (_plugins[plugin.Name] is not T || set.Disabled.Contains(plugin.Name)) continue;
                if (explicitNames.Contains(plugin.Name))
                {
                    overrides.Add(plugin.Name);
                }
                else if (!fromMultiPoint.Contains(plugin.Name))
                {
                    fromMultiPoint.Add(plugin.Name);
                }
            }
        }

        List<string> ordered = [];
        foreach (var name in explicitNames)
        {
            if (overrides.Contains(name)) ordered.Add(name);
        }

        ordered.AddRange(fromMultiPoint);
        foreach (var name in explicitNames)
        {
            if (!overrides.Contains(name)) ordered.Add(name);
        }

        List<T> result = [];
        foreach (var name in ordered)
        {
            if (_plugins[name] is not T typed)
            {
                throw new SchedulerConfigurationException(
                    $"profile \"{Profile.SchedulerName}\": plugin \"{name}\" does not extend {point} plugin");
            }

            result.Add(typed);
        }

        return result;
    }

    private Dictionary<string, int> ComputeWeights(SchedulerProfile profile, List<PluginRef> multiPoint)
    {
        Dictionary<string, int> weights = new(StringComparer.Ordinal);
        foreach (var plugin in ScorePlugins)
        {
            var weight = 0;
            foreach (var entry in profile.Plugins.Get(ExtensionPoint.Score).Enabled)
            {
                if (entry.Name == plugin.Name) weight = entry.Weight;
            }

            if (weight == 0)
            {
                foreach (var entry in multiPoint)
                {
                    if (entry.Name == plugin.Name) weight = entry.Weight;
                }
            }

            weights[plugin.Name] = weight == 0 ? 1 : weight;
        }

        return weights;
    }

    private void RegisterEvents()
    {
        void Add(IPlugin plugin)
        {
            if (_pluginEvents.ContainsKey(plugin.Name)) return;
            _pluginEvents[plugin.Name] = plugin is IEnqueueExtensions ext ? ext.EventsToRegister() : null;
        }

        foreach (var p in PreEnqueuePlugins) Add(p);
        foreach (var p in PreFilterPlugins) Add(p);
        foreach (var p in FilterPlugins) Add(p);
        foreach (var p in ReservePlugins) Add(p);
        foreach (var p in PermitPlugins) Add(p);
    }
}
