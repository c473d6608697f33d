using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Pods.Lifecycle;

namespace Navarch.Kubelet.Hosting;

/// <summary>
/// Drives one pod (one UID) on this node, as the kubelet's per-pod worker: syncs it through a <see cref="PodRunner"/>
/// every status interval (sooner when an update, a probe change or the runner asks), posts its status when it changed
/// while it is not finished, and when the pod is being deleted kills it with the grace period and removes the API object with
/// grace 0 (the kubelet's final delete). Updates only replace the latest pod and wake the loop, so informer handlers never block.
/// </summary>
internal sealed class PodWorker
{
    private readonly IKubernetes _client;
    private readonly CriClient _cri;
    private readonly PodSandboxConfigBuilder _sandboxBuilder;
    private readonly PodRunnerOptions _runnerOptions;
    private readonly TimeSpan _statusInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    /// <summary>The shortest pause between two syncs of one pod, so a pass that asks for another at once cannot spin.</summary>
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(50);

    private readonly PodServices _services;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private V1Pod _latest;
    private volatile bool _removed;

    public PodWorker(
        IKubernetes client,
        CriClient cri,
        PodSandboxConfigBuilder sandboxBuilder,
        PodRunnerOptions runnerOptions,
        PodServices services,
        TimeSpan statusInterval,
        V1Pod pod,
        ILogger logger)
    {
        _services = services;
        _client = client;
        _cri = cri;
        _sandboxBuilder = sandboxBuilder;
        _runnerOptions = runnerOptions;
        _statusInterval = statusInterval;
        _time = runnerOptions.TimeProvider;
        _latest = pod;
        _logger = logger;
    }

    private V1Pod Latest => Volatile.Read(ref _latest);

    /// <summary>The pod changed in the API.</summary>
    public void Update(V1Pod pod)
    {
        Volatile.Write(ref _latest, pod);
        _wake.Writer.TryWrite(true);
    }

    /// <summary>The pod is gone from the API (deleted with grace 0 by someone else): kill it at once, delete nothing.</summary>
    public void Remove(V1Pod pod)
    {
        Volatile.Write(ref _latest, pod);
        _removed = true;
        _wake.Writer.TryWrite(true);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var runner = new PodRunner(_cri, Latest, _sandboxBuilder, _runnerOptions, _services);
        await using (runner.ConfigureAwait(false))
        {
            // A probe result changed: sync now rather than at the next interval.
            runner.Changed += () => _wake.Writer.TryWrite(true);
            await RunAsync(runner, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(PodRunner runner, CancellationToken cancellationToken)
    {
        var synced = false;
        string? posted = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pod = Latest;
            TimeSpan? requeue = null;
            try
            {
                if (_removed || pod.Metadata.DeletionTimestamp is not null)
                {
                    await TerminateAsync(runner, pod, cancellationToken).ConfigureAwait(false);
                    return;
                }

                // A finished pod is left as it is, as the kubelet does: nothing of it restarts and its status is final.
                if (!IsFinished(pod))
                {
                    var status = await runner.SyncAsync(pod, cancellationToken).ConfigureAwait(false);
                    requeue = runner.RequeueAfter;
                    if (!synced)
                    {
                        KubeletLog.PodStarted(_logger, pod.Namespace(), pod.Name());
                        synced = true;
                    }

                    KeepApiTimes(pod.Status, status);
                    var json = KubernetesJson.Serialize(status);
                    if (json != posted)
                    {
                        await _client.CoreV1.PatchNamespacedPodStatusAsync(
                            new V1Patch(new V1Pod { Status = status }, V1Patch.PatchType.MergePatch),
                            pod.Name(),
                            pod.Namespace(),
                            cancellationToken: cancellationToken).ConfigureAwait(false);
                        posted = json;
                    }
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
            {
                // Level-triggered: whatever failed is tried again on the next pass.
                KubeletLog.PodSyncFailed(_logger, pod.Namespace(), pod.Name(), e);
            }

            await WaitAsync(requeue, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task TerminateAsync(PodRunner runner, V1Pod pod, CancellationToken cancellationToken)
    {
        // As the kubelet: the grace period the API server set on deletion wins over the spec's.
        var grace = _removed ? 0 : pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec?.TerminationGracePeriodSeconds ?? 30;
        await runner.StopAsync(TimeSpan.FromSeconds(grace), cancellationToken).ConfigureAwait(false);
        KubeletLog.PodKilled(_logger, pod.Namespace(), pod.Name(), grace);
        if (_removed)
        {
            return;
        }

        try
        {
            // The UID precondition keeps this from deleting a new pod of the same name.
            await _client.CoreV1.DeleteNamespacedPodAsync(
                pod.Name(),
                pod.Namespace(),
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Uid() } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Already gone, or replaced by a pod of the same name: nothing of ours is left to delete.
        }
    }

    /// <summary>
    /// The runner computes status from the pod as it first saw it; the start time and the transition times of conditions
    /// whose status holds come from the pod as the API has it now, so an unchanged pod yields an unchanged status.
    /// </summary>
    private static void KeepApiTimes(V1PodStatus? current, V1PodStatus status)
    {
        if (current is null)
        {
            return;
        }

        status.StartTime = current.StartTime ?? status.StartTime;
        foreach (var condition in status.Conditions ?? [])
        {
            var previous = current.Conditions?.FirstOrDefault(c => c.Type == condition.Type);
            if (previous is { LastTransitionTime: { } since } && previous.Status == condition.Status)
            {
                condition.LastTransitionTime = since;
            }
        }
    }

    private static bool IsFinished(V1Pod pod) =>
        pod.Status?.Phase is PodStatusBuilder.PhaseSucceeded or PodStatusBuilder.PhaseFailed;

    /// <summary>Waits for an update, a probe change or the status interval (shortened to the runner's requeue hint), whichever comes first.</summary>
    private async Task WaitAsync(TimeSpan? requeue, CancellationToken cancellationToken)
    {
        var wait = requeue is { } hint && hint < _statusInterval ? (hint < MinimumWait ? MinimumWait : hint) : _statusInterval;
        using var interval = new CancellationTokenSource(wait, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, interval.Token);
        try
        {
            await _wake.Reader.WaitToReadAsync(either.Token).ConfigureAwait(false);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}
