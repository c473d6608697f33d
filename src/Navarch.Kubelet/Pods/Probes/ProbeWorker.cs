using k8s.Models;
using Navarch.Client.Events;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Pods.Probes;

/// <summary>
/// Runs one probe of one container, as the kubelet's probe worker: waits initialDelaySeconds from the container's start,
/// probes every periodSeconds with timeoutSeconds, and changes the reported result only after successThreshold
/// successes or failureThreshold failures in a row. Readiness and liveness wait for the startup probe; a failed
/// liveness or startup result is final for this container (it gets killed and a new one gets a new worker).
/// </summary>
internal sealed class ProbeWorker
{
    private readonly ProbeManager _manager;
    private readonly V1Probe _probe;
    private readonly ProbeTarget _target;
    private readonly DateTimeOffset _startedAt;
    private ProbeOutcome _lastRaw = ProbeOutcome.Unknown;
    private int _runs;

    public ProbeWorker(ProbeManager manager, ProbeType type, V1Probe probe, ProbeTarget target, DateTimeOffset startedAt)
    {
        _manager = manager;
        Type = type;
        _probe = probe;
        _target = target;
        _startedAt = startedAt;
        // As the kubelet's initial values: not ready until a readiness probe succeeds, live until liveness fails.
        Result = type switch
        {
            ProbeType.Readiness => ProbeOutcome.Failure,
            ProbeType.Liveness => ProbeOutcome.Success,
            _ => ProbeOutcome.Unknown,
        };
    }

    public ProbeType Type { get; }

    public ProbeTarget Target => _target;

    /// <summary>The result the kubelet acts on (after thresholds).</summary>
    public ProbeOutcome Result { get; private set; }

    /// <summary>The message of the probe run that made <see cref="Result"/> a failure.</summary>
    public string Message { get; private set; } = string.Empty;

    /// <summary>The probe's own terminationGracePeriodSeconds, which overrides the pod's when this probe kills the container.</summary>
    public long? TerminationGracePeriodSeconds => _probe.TerminationGracePeriodSeconds;

    public async Task RunAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, _probe.PeriodSeconds ?? 10));
        var timeout = TimeSpan.FromSeconds(Math.Max(1, _probe.TimeoutSeconds ?? 1));
        var firstAt = _startedAt + TimeSpan.FromSeconds(Math.Max(0, _probe.InitialDelaySeconds ?? 0));
        var untilFirst = firstAt - time.GetUtcNow();
        if (untilFirst > TimeSpan.Zero)
        {
            await Task.Delay(untilFirst, time, cancellationToken).ConfigureAwait(false);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await ProbeOnceAsync(timeout, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(period, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One period's work; false when this worker is done.</summary>
    private async Task<bool> ProbeOnceAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Type == ProbeType.Startup && Result == ProbeOutcome.Success)
        {
            return false;
        }

        if (Type != ProbeType.Startup && !_manager.IsStarted(_target.ContainerId))
        {
            return true;
        }

        var result = await _manager.RunActionAsync(_probe, _target, timeout, cancellationToken).ConfigureAwait(false);
        if (result.Outcome == ProbeOutcome.Failure)
        {
            // As the kubelet's prober, every failed run is an event (the recorder aggregates repeats).
            _manager.Events.Event(_target.Pod, ContainerFieldPath.Of(_target.Pod, _target.Container.Name), EventTypes.Warning, "Unhealthy", $"{Type} probe failed: {result.Message}");
        }

        _runs = result.Outcome == _lastRaw ? _runs + 1 : 1;
        _lastRaw = result.Outcome;
        var threshold = result.Outcome == ProbeOutcome.Success
            ? Math.Max(1, _probe.SuccessThreshold ?? 1)
            : Math.Max(1, _probe.FailureThreshold ?? 3);
        if (_runs >= threshold && Result != result.Outcome)
        {
            Message = result.Message;
            Result = result.Outcome;
            _manager.Changed();
        }

        return !(Type is ProbeType.Liveness or ProbeType.Startup && Result == ProbeOutcome.Failure);
    }
}
