using System.Collections.Concurrent;
using k8s.Models;
using Navarch.Scheduler.Cache;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Queue;
using Navarch.Scheduler.Runtime;

namespace Navarch.Scheduler.Core;

/// <summary>
/// The scheduler: one queue and cache, a framework per profile, and the scheduling loop, as kube-scheduler's
/// Scheduler. The host feeds it informer events (On* methods) and runs <see cref="RunAsync"/> while leader.
/// </summary>
public sealed partial class PodScheduler : IDisposable
{
    private readonly Dictionary<string, FrameworkRuntime> _profiles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly ISchedulerClient _client;
    private readonly ISchedulerEvents _events;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly int _percentageOfNodesToScore;
    private readonly int _parallelism;
    private int _nextStartNodeIndex;

    /// <summary>
    /// Validates <paramref name="configuration"/> against <paramref name="registry"/> (throwing
    /// <see cref="SchedulerConfigurationException"/>) and builds every profile's plugins.
    /// </summary>
    public PodScheduler(
        SchedulerConfiguration configuration,
        IReadOnlyDictionary<string, PluginFactory> registry,
        ISchedulerClient client,
        ISchedulerEvents events,
        TimeProvider time,
        Random? random = null)
    {
        configuration.Validate(registry);
        _client = client;
        _events = events;
        _time = time;
        _random = random ?? new Random();
        _percentageOfNodesToScore = configuration.PercentageOfNodesToScore;
        _parallelism = configuration.Parallelism;

        Nominator = new PodNominator();
        Snapshot = new Snapshot();
        Cache = new SchedulerCache();
        foreach (var profile in configuration.Profiles)
        {
            _profiles[profile.SchedulerName] = new FrameworkRuntime(
                profile, registry, client, events, time, Nominator, Snapshot, configuration.Parallelism);
        }

        // All profiles sort the queue the same way (validated), so the first one's QueueSort orders it.
        var first = _profiles[configuration.Profiles[0].SchedulerName];
        Queue = new SchedulingQueue(
            first.QueueSortLess,
            time,
            new SchedulingQueueOptions
            {
                PodInitialBackoff = TimeSpan.FromSeconds(configuration.PodInitialBackoffSeconds),
                PodMaxBackoff = TimeSpan.FromSeconds(configuration.PodMaxBackoffSeconds),
            },
            Nominator,
            pod => ProfileFor(pod)?.RunPreEnqueuePlugins(pod) ?? Status.Success,
            (qpi, ev) => ProfileFor(qpi.PodInfo.Pod)?.IsInterested(qpi, ev) ?? true);
    }

    public SchedulingQueue Queue { get; }

    public SchedulerCache Cache { get; }

    public PodNominator Nominator { get; }

    /// <summary>The snapshot of the cycle in progress (shared by every profile's handle).</summary>
    public Snapshot Snapshot { get; }

    public SchedulerMetrics Metrics { get; } = new();

    public IReadOnlyDictionary<string, FrameworkRuntime> Profiles => _profiles;

    /// <summary>Binding cycles still running.</summary>
    public int BindingsInFlight => _background.Count;

    /// <summary>Schedules pods until cancelled, then closes the queue and waits for running bindings.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Queue.Run();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!await ScheduleOneAsync(cancellationToken).ConfigureAwait(false)) break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown: fall through to wait for bindings in flight.
        }
        finally
        {
            Queue.Close();
            await WaitForBackgroundAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits until every binding cycle and status patch started so far has finished.</summary>
    public async Task WaitForBackgroundAsync()
    {
        while (!_background.IsEmpty)
        {
            try
            {
                await Task.WhenAll(_background.Keys).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Each background task reports its own failure; here we only wait for them to end.
            }
        }
    }

    public void OnPodAdd(V1Pod pod)
    {
        if (IsAssigned(pod))
        {
            if (IsTerminal(pod)) return;
            Cache.AddPod(pod);
            Queue.AssignedPodAdded(pod);
            return;
        }

        if (ResponsibleFor(pod) && !IsTerminal(pod)) Queue.Add(pod);
    }

    public void OnPodUpdate(V1Pod oldPod, V1Pod newPod)
    {
        if (IsAssigned(newPod))
        {
            if (!IsAssigned(oldPod))
            {
                // Bound (by us or anyone): it leaves the queue and is counted on its node.
                Queue.Delete(newPod);
                OnPodAdd(newPod);
                return;
            }

            if (IsTerminal(newPod))
            {
                // A finished pod frees its node's resources, as kube-scheduler drops terminated pods from its cache.
                if (Cache.Contains(newPod))
                {
                    Cache.RemovePod(newPod);
                    Queue.MoveAllToActiveOrBackoffQueue(ClusterEvents.AssignedPodDelete);
                }

                return;
            }

            Cache.UpdatePod(oldPod, newPod);
            Queue.AssignedPodUpdated(newPod);
            return;
        }

        if (!ResponsibleFor(newPod) || Cache.IsAssumedPod(newPod)) return;
        if (IsTerminal(newPod))
        {
            Queue.Delete(newPod);
            return;
        }

        Queue.Update(oldPod, newPod);
    }

    public void OnPodDelete(V1Pod pod)
    {
        var uid = pod.Metadata?.Uid ?? string.Empty;
        foreach (var profile in _profiles.Values) profile.RejectWaitingPod(uid);
        if (IsAssigned(pod) || Cache.Contains(pod))
        {
            Cache.RemovePod(pod);
            Queue.Delete(pod);
            Queue.MoveAllToActiveOrBackoffQueue(ClusterEvents.AssignedPodDelete);
            return;
        }

        Queue.Delete(pod);
    }

    public void OnNodeAdd(V1Node node)
    {
        Cache.AddNode(node);
        Queue.MoveAllToActiveOrBackoffQueue(ClusterEvents.NodeAdd);
    }

    public void OnNodeUpdate(V1Node oldNode, V1Node newNode)
    {
        Cache.UpdateNode(oldNode, newNode);
        var changes = NodeChanges.Of(oldNode, newNode);
        if (changes != ActionType.None) Queue.MoveAllToActiveOrBackoffQueue(ClusterEvents.NodeUpdate(changes));
    }

    public void OnNodeDelete(V1Node node) => Cache.RemoveNode(node);

    public void Dispose() => Queue.Close();

    /// <summary>The profile for the pod's spec.schedulerName; null when no profile of ours has that name.</summary>
    public FrameworkRuntime? ProfileFor(V1Pod pod) =>
        _profiles.TryGetValue(pod.Spec?.SchedulerName ?? SchedulerProfile.DefaultSchedulerName, out var fwk) ? fwk : null;

    private bool ResponsibleFor(V1Pod pod) => ProfileFor(pod) is not null;

    private static bool IsAssigned(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    private static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    private void Track(Task task)
    {
        _background[task] = 0;
        _ = task.ContinueWith(t => _background.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
