using Grpc.Core;
using k8s.Models;
using Navarch.Client.Events;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Images;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Pods.Probes;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>
/// Starting and killing one pod's containers, as the kubelet's kuberuntime does: image, config inputs and config, create,
/// start, postStart hook on the way up; preStop hook, then SIGTERM and SIGKILL within the grace period on the way down.
/// Remembers each container's last attempt so restart counts carry over a sandbox that is replaced.
/// </summary>
internal sealed class ContainerOperations(
    CriClient cri,
    ImagePuller images,
    ContainerInputsResolver? inputs,
    IEventRecorder events,
    LifecycleHookRunner hooks,
    TimeProvider time,
    string seccompProfileRoot)
{
    /// <summary>As the kubelet's minimumGracePeriodInSeconds: no container is given less than this to stop.</summary>
    private static readonly TimeSpan MinimumGracePeriod = TimeSpan.FromSeconds(2);

    private readonly CriClient _cri = cri;
    private readonly ImagePuller _images = images;
    private readonly ContainerInputsResolver? _inputs = inputs;
    private readonly IEventRecorder _events = events;
    private readonly LifecycleHookRunner _hooks = hooks;
    private readonly TimeProvider _time = time;
    private readonly ContainerConfigBuilder _containerBuilder = new() { SeccompProfileRoot = seccompProfileRoot };
    private readonly Dictionary<string, uint> _lastAttempt = [];

    /// <summary>Records the attempts of containers about to go with their sandbox, so their next attempts count on.</summary>
    public void RememberAttempts(IEnumerable<ContainerStatus> containers)
    {
        foreach (var container in containers)
        {
            _lastAttempt[container.Metadata.Name] = Math.Max(_lastAttempt.GetValueOrDefault(container.Metadata.Name), container.Metadata.Attempt);
        }
    }

    /// <summary>The pod's terminationGracePeriodSeconds (30 s when unset).</summary>
    public static TimeSpan GracePeriod(V1Pod pod) => TimeSpan.FromSeconds(pod.Spec?.TerminationGracePeriodSeconds ?? 30);

    /// <summary>Creates and starts the next attempt of a container, recording why it is left waiting when it cannot.</summary>
    /// <param name="pidTargetId">For an ephemeral container with a target: the running container whose PID namespace it joins.</param>
    public async Task StartAsync(
        SyncPass sync, RuntimePodState state, V1Container spec, ContainerStartContext start, CancellationToken cancellationToken, string? pidTargetId = null)
    {
        var pod = sync.Pod;
        var attempts = state.AttemptsOf(spec.Name);
        var attempt = attempts.Count > 0
            ? attempts[0].Metadata.Attempt + 1
            : _lastAttempt.TryGetValue(spec.Name, out var last) ? last + 1 : 0;

        try
        {
            await _images.EnsureImageAsync(pod, spec, start.SandboxConfig, cancellationToken).ConfigureAwait(false);
        }
        catch (ImagePullException e)
        {
            sync.Waiting[spec.Name] = new ContainerWaitingReason(e.Reason, e.Message);
            return;
        }

        ContainerConfig config;
        try
        {
            var inputs = _inputs is { } resolver
                ? await resolver.ResolveAsync(pod, spec, start.Volumes, cancellationToken).ConfigureAwait(false)
                : ContainerInputs.Empty with { Mounts = start.Volumes.MountsFor(spec) };
            config = _containerBuilder.Build(pod, spec, (int)attempt, start.Network, inputs);
            if (pidTargetId is not null)
            {
                config.Linux.SecurityContext.NamespaceOptions.Pid = NamespaceMode.Target;
                config.Linux.SecurityContext.NamespaceOptions.TargetId = pidTargetId;
            }
        }
        catch (ContainerConfigException e)
        {
            Fail(sync, spec, "CreateContainerConfigError", e.Message);
            return;
        }

        Directory.CreateDirectory(Path.Combine(start.SandboxConfig.LogDirectory, spec.Name));
        string id;
        try
        {
            id = await _cri.CreateContainerAsync(start.SandboxId, config, start.SandboxConfig, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            Fail(sync, spec, "CreateContainerError", e.Status.Detail);
            return;
        }

        _lastAttempt[spec.Name] = attempt;
        _events.Event(pod, ContainerFieldPath.Of(pod, spec.Name), EventTypes.Normal, "Created", $"Created container: {spec.Name}");
        try
        {
            await _cri.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            Fail(sync, spec, "RunContainerError", e.Status.Detail);
            return;
        }

        _events.Event(pod, ContainerFieldPath.Of(pod, spec.Name), EventTypes.Normal, "Started", $"Started container {spec.Name}");
        if (spec.Lifecycle?.PostStart is { } postStart)
        {
            var target = new ProbeTarget(pod, spec, id, start.ProbeHost);
            var failure = await _hooks.RunAsync(postStart, target, GracePeriod(pod), cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                // As the kubelet: a failed postStart hook kills the container, which then restarts as policy says.
                _events.Event(pod, ContainerFieldPath.Of(pod, spec.Name), EventTypes.Warning, "FailedPostStartHook", failure);
                await StopAsync(id, GracePeriod(pod), cancellationToken).ConfigureAwait(false);
                sync.Retry(TimeSpan.Zero);
            }
        }
    }

    private void Fail(SyncPass sync, V1Container spec, string reason, string message)
    {
        sync.Waiting[spec.Name] = new ContainerWaitingReason(reason, message);
        _events.Event(sync.Pod, ContainerFieldPath.Of(sync.Pod, spec.Name), EventTypes.Warning, "Failed", $"Error: {message}");
        sync.Retry(TimeSpan.FromSeconds(1));
    }

    /// <summary>Runs the preStop hook (if any) within the grace period, then stops the container with what is left of it.</summary>
    public async Task KillAsync(
        V1Pod pod, V1Container? spec, string containerId, string? host, TimeSpan gracePeriod, CancellationToken cancellationToken, bool announce = true)
    {
        var time = _time;
        var started = time.GetTimestamp();
        if (spec?.Lifecycle?.PreStop is { } preStop)
        {
            var target = new ProbeTarget(pod, spec, containerId, host);
            var failure = await _hooks.RunAsync(preStop, target, gracePeriod, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                _events.Event(pod, ContainerFieldPath.Of(pod, spec.Name), EventTypes.Warning, "FailedPreStopHook", failure);
            }
        }

        if (announce && spec is not null)
        {
            _events.Event(pod, ContainerFieldPath.Of(pod, spec.Name), EventTypes.Normal, "Killing", $"Stopping container {spec.Name}");
        }

        var remaining = gracePeriod - time.GetElapsedTime(started);
        await StopAsync(containerId, remaining, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        try
        {
            await _cri.StopContainerAsync(containerId, gracePeriod < MinimumGracePeriod ? MinimumGracePeriod : gracePeriod, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
    }

    public async Task RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await _cri.RemoveContainerAsync(containerId, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
    }
}
