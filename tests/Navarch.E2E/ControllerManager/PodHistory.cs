using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;

namespace Navarch.E2E.ControllerManager;

/// <summary>
/// Records, from a watch started before the workload exists, every pod matching a label selector in one
/// namespace: how many were ever created, and the most that were alive (not Terminating) at once. A watch that
/// ends is resumed from the last resourceVersion, so no event between start and <see cref="DisposeAsync"/> is missed.
/// </summary>
public sealed class PodHistory : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _labelSelector;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, bool> _terminatingByUid = new(StringComparer.Ordinal);
    private readonly HashSet<string> _created = new(StringComparer.Ordinal);
    private readonly List<string> _timeline = [];
    private readonly Dictionary<string, string> _replicaSets = new(StringComparer.Ordinal);
    private Task _loop = Task.CompletedTask;
    private Task _replicaSetLoop = Task.CompletedTask;
    private readonly Dictionary<string, int> _desired = new(StringComparer.Ordinal);
    private int _maxDesired;
    private int _maxAlive;
    private long _events;

    private PodHistory(IKubernetes client, string ns, string labelSelector)
    {
        _client = client;
        _namespace = ns;
        _labelSelector = labelSelector;
    }

    /// <summary>Starts recording; returns once the watch's starting point (an initial list) is known.</summary>
    public static async Task<PodHistory> StartAsync(IKubernetes client, string ns, string labelSelector)
    {
        var history = new PodHistory(client, ns, labelSelector);
        var initial = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labelSelector);
        foreach (var pod in initial.Items)
        {
            history.Record(WatchEventType.Added, pod);
        }

        history._loop = Task.Run(() => history.WatchAsync(initial.Metadata.ResourceVersion, history._stop.Token));
        history._replicaSetLoop = Task.Run(() => history.WatchReplicaSetsAsync(initial.Metadata.ResourceVersion, history._stop.Token));
        return history;
    }

    /// <summary>Pods alive (created and not Terminating) right now, as the watch saw them.</summary>
    public int Alive
    {
        get
        {
            lock (_gate)
            {
                return _terminatingByUid.Values.Count(t => !t);
            }
        }
    }

    /// <summary>The most pods alive at once since recording started.</summary>
    public int MaxAlive
    {
        get
        {
            lock (_gate)
            {
                return _maxAlive;
            }
        }
    }

    /// <summary>
    /// The most replicas the ReplicaSets asked for together at any moment (sum of spec.replicas): what a Deployment's
    /// maxSurge bounds, as in Kubernetes.
    /// </summary>
    public int MaxDesired
    {
        get
        {
            lock (_gate)
            {
                return _maxDesired;
            }
        }
    }

    /// <summary>Distinct pods ever created since recording started.</summary>
    public int Created
    {
        get
        {
            lock (_gate)
            {
                return _created.Count;
            }
        }
    }

    /// <summary>Watch events seen so far (a counter tests use to tell that nothing happened over a period).</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>A failure of the watch itself, which would make the counts untrustworthy.</summary>
    public string? WatchFailure { get; private set; }

    /// <summary>When each pod was created, deleted or started terminating, with the alive count after it.</summary>
    public string Timeline()
    {
        lock (_gate)
        {
            var text = new StringBuilder($"--- pod timeline ({_namespace}, {_labelSelector}): created {_created.Count}, max alive {_maxAlive} ---\n");
            foreach (var line in _timeline)
            {
                text.Append(line).Append('\n');
            }

            return text.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
            await _replicaSetLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task WatchAsync(string resourceVersion, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var events = _client.CoreV1.WatchListNamespacedPodAsync(
                    _namespace, labelSelector: _labelSelector, resourceVersion: resourceVersion, onError: e => WatchFailure ??= e.Message, cancellationToken: ct);
                await foreach (var (type, pod) in events)
                {
                    Interlocked.Increment(ref _events);
                    Record(type, pod);
                    resourceVersion = pod.Metadata.ResourceVersion;
                }
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or KubernetesException && !ct.IsCancellationRequested)
            {
                WatchFailure ??= $"{e.GetType().Name}: {e.Message}";
                return;
            }
        }
    }

    /// <summary>Adds each change of a ReplicaSet's desired or current replicas to the timeline, to explain the pods' changes in a failure.</summary>
    private async Task WatchReplicaSetsAsync(string resourceVersion, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var events = _client.AppsV1.WatchListNamespacedReplicaSetAsync(_namespace, resourceVersion: resourceVersion, cancellationToken: ct);
                await foreach (var (type, set) in events)
                {
                    resourceVersion = set.Metadata.ResourceVersion;
                    var replicas = $"spec {set.Spec.Replicas} status {set.Status?.Replicas ?? 0}/{set.Status?.ReadyReplicas ?? 0} ready";
                    lock (_gate)
                    {
                        if (_replicaSets.TryGetValue(set.Metadata.Name, out var last) && last == replicas && type != WatchEventType.Deleted)
                        {
                            continue;
                        }

                        _replicaSets[set.Metadata.Name] = replicas;
                        _desired[set.Metadata.Name] = type == WatchEventType.Deleted ? 0 : set.Spec.Replicas ?? 0;
                        _maxDesired = Math.Max(_maxDesired, _desired.Values.Sum());
                        _timeline.Add(string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:HH:mm:ss.fff}   replicaset {set.Metadata.Name} {type}: {replicas} (rv {resourceVersion})"));
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or KubernetesException && !ct.IsCancellationRequested)
            {
                // Only diagnostics: the pod counts do not depend on this watch.
                return;
            }
        }
    }

    private void Record(WatchEventType type, V1Pod pod)
    {
        var uid = pod.Metadata.Uid;
        var terminating = pod.Metadata.DeletionTimestamp is not null;
        lock (_gate)
        {
            var known = _terminatingByUid.TryGetValue(uid, out var wasTerminating);
            string? change = null;
            if (type == WatchEventType.Deleted)
            {
                if (_terminatingByUid.Remove(uid))
                {
                    change = "deleted";
                }
            }
            else if (type is WatchEventType.Added or WatchEventType.Modified)
            {
                _terminatingByUid[uid] = terminating;
                if (_created.Add(uid))
                {
                    change = terminating ? "created terminating" : "created";
                }
                else if (!known || terminating != wasTerminating)
                {
                    change = terminating ? "terminating" : "alive";
                }
            }

            if (change is null)
            {
                return;
            }

            var alive = _terminatingByUid.Values.Count(t => !t);
            _maxAlive = Math.Max(_maxAlive, alive);
            var owner = pod.Metadata.OwnerReferences?.FirstOrDefault()?.Name ?? "-";
            _timeline.Add(string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:HH:mm:ss.fff} {pod.Metadata.Name} ({owner}) {change}: alive {alive}"));
        }
    }
}
