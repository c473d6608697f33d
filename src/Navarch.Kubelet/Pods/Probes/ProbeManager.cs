using k8s.Models;
using Navarch.Client.Events;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Pods.Probes;

/// <summary>
/// The probes of one pod's running containers, as the kubelet's prober manager: one worker per probe of each running
/// container, started when the container is first seen running and stopped when it is not. The pod's sync asks it
/// whether a container is started and ready, and whether liveness or startup has failed (then it kills the container).
/// </summary>
public sealed class ProbeManager : IAsyncDisposable
{
    private readonly ProbeActions _actions;
    private readonly TimeProvider _time;
    private readonly Action _onChange;
    private readonly Dictionary<string, ContainerProbes> _containers = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <param name="onChange">Called (from a worker) when a result changes, to wake the pod's sync.</param>
    public ProbeManager(ProbeActions actions, IEventRecorder events, TimeProvider time, Action onChange)
    {
        _actions = actions;
        Events = events;
        _time = time;
        _onChange = onChange;
    }

    internal IEventRecorder Events { get; }

    /// <summary>Starts workers for newly running containers and stops those of containers no longer running.</summary>
    public void Sync(V1Pod pod, IReadOnlyCollection<ProbedContainer> running, string? host)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(running);
        lock (_lock)
        {
            var keep = new HashSet<string>(StringComparer.Ordinal);
            foreach (var container in running)
            {
                keep.Add(container.Id);
                if (!_containers.ContainsKey(container.Id))
                {
                    _containers[container.Id] = Start(pod, container, host);
                }
            }

            foreach (var id in _containers.Keys.Where(id => !keep.Contains(id)).ToList())
            {
                _containers[id].Cancel();
                _containers.Remove(id);
            }
        }
    }

    /// <summary>started and ready of a running container, as the kubelet reports them.</summary>
    public ContainerHealth HealthOf(string containerId)
    {
        lock (_lock)
        {
            if (!_containers.TryGetValue(containerId, out var probes))
            {
                // Not seen running by Sync yet: no probe has had a say, so only a probe-less container counts as started and ready.
                return new ContainerHealth(false, false);
            }

            var started = probes.Startup is null || probes.Startup.Result == ProbeOutcome.Success;
            var ready = started && (probes.Readiness is null || probes.Readiness.Result == ProbeOutcome.Success);
            return new ContainerHealth(started, ready);
        }
    }

    /// <summary>The failed liveness or startup probe of a container, which the sync answers by killing it; null when none failed.</summary>
    public ProbeFailure? FailureOf(string containerId)
    {
        lock (_lock)
        {
            if (!_containers.TryGetValue(containerId, out var probes))
            {
                return null;
            }

            foreach (var worker in new[] { probes.Startup, probes.Liveness })
            {
                if (worker is { Result: ProbeOutcome.Failure })
                {
                    return new ProbeFailure(worker.Type, worker.Message, worker.TerminationGracePeriodSeconds);
                }
            }

            return null;
        }
    }

    internal bool IsStarted(string containerId)
    {
        lock (_lock)
        {
            return _containers.TryGetValue(containerId, out var probes)
                && (probes.Startup is null || probes.Startup.Result == ProbeOutcome.Success);
        }
    }

    internal void Changed() => _onChange();

    internal Task<ProbeResult> RunActionAsync(V1Probe probe, ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (probe.Exec is { } exec)
        {
            return _actions.ExecAsync(target, exec.Command ?? [], timeout, cancellationToken);
        }

        if (probe.HttpGet is { } httpGet)
        {
            return _actions.HttpGetAsync(target, httpGet, timeout, cancellationToken);
        }

        if (probe.TcpSocket is { } tcp)
        {
            return _actions.TcpSocketAsync(target, tcp, timeout, cancellationToken);
        }

        if (probe.Grpc is { } grpc)
        {
            return _actions.GrpcAsync(target, grpc, timeout, cancellationToken);
        }

        // The API server rejects a probe without a handler; one that slips through counts as passing, as the kubelet's does.
        return Task.FromResult(ProbeResult.Success());
    }

    public async ValueTask DisposeAsync()
    {
        List<Task> running;
        lock (_lock)
        {
            running = _containers.Values.SelectMany(probes => probes.Tasks).ToList();
            foreach (var probes in _containers.Values)
            {
                probes.Cancel();
            }

            _containers.Clear();
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(running).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private ContainerProbes Start(V1Pod pod, ProbedContainer container, string? host)
    {
        var target = new ProbeTarget(pod, container.Spec, container.Id, host);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var probes = new ContainerProbes(stop)
        {
            Startup = container.Spec.StartupProbe is { } startup ? new ProbeWorker(this, ProbeType.Startup, startup, target, container.StartedAt) : null,
            Liveness = container.Spec.LivenessProbe is { } liveness ? new ProbeWorker(this, ProbeType.Liveness, liveness, target, container.StartedAt) : null,
            Readiness = container.Spec.ReadinessProbe is { } readiness ? new ProbeWorker(this, ProbeType.Readiness, readiness, target, container.StartedAt) : null,
        };
        foreach (var worker in new[] { probes.Startup, probes.Liveness, probes.Readiness })
        {
            if (worker is not null)
            {
                probes.Tasks.Add(RunWorkerAsync(worker, stop.Token));
            }
        }

        return probes;
    }

    private async Task RunWorkerAsync(ProbeWorker worker, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await worker.RunAsync(_time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The actions turn expected failures into results; anything else ends this worker, and says so as the kubelet's "probe errored".
            Events.Event(worker.Target.Pod, ContainerFieldPath.Of(worker.Target.Pod, worker.Target.Container.Name), EventTypes.Warning, "Unhealthy", $"{worker.Type} probe errored: {e.Message}");
        }
    }

    private sealed class ContainerProbes(CancellationTokenSource stop)
    {
        public ProbeWorker? Startup { get; init; }

        public ProbeWorker? Liveness { get; init; }

        public ProbeWorker? Readiness { get; init; }

        public List<Task> Tasks { get; } = [];

        public void Cancel()
        {
            stop.Cancel();
            // The tasks end on their own; the source is left to the GC since a worker may still be reading its token.
        }
    }
}
