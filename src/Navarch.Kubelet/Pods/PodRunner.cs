using Grpc.Core;
using k8s.Models;
using Navarch.Client.Events;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Images;
using Navarch.Kubelet.Pods.Lifecycle;
using Navarch.Kubelet.Pods.Probes;
using Navarch.Kubelet.Volumes;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// Keeps one pod's containers as its spec says, one level-triggered pass per <see cref="SyncAsync"/>, in the order of
/// the kubelet's SyncPod / computePodActions: a ready sandbox (a dead one is replaced and everything restarts), then the
/// init containers one at a time to a successful exit (a sidecar init container only to started), then the app
/// containers; exited containers restart as restartPolicy says, with the per-container CrashLoopBackOff; failed
/// liveness and startup probes kill their container, and a running container whose spec changed is replaced. Everything is found in the runtime by the pod UID label, so a
/// restarted kubelet adopts what is running instead of recreating it.
/// </summary>
public sealed class PodRunner : IAsyncDisposable
{
    /// <summary>How soon to look again while a regular init container runs, so an init chain does not wait a status interval per step.</summary>
    private static readonly TimeSpan InitPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly CriClient _cri;
    private readonly PodSandboxConfigBuilder _sandboxBuilder;
    private readonly PodStatusBuilder _statusBuilder;
    private readonly PodRunnerOptions _options;
    private readonly PodServices _services;
    private readonly ProbeActions _actions;
    private readonly ImagePuller _images;
    private readonly bool _ownsActions;
    private readonly ProbeManager _probes;
    private readonly LifecycleHookRunner _hooks;
    private readonly ContainerBackOff _backOff;
    private readonly PodRuntimeObserver _observer;
    private readonly ContainerOperations _containers;
    private readonly HashSet<string> _backOffReported = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, ContainerWaitingReason> _waiting = [];
    private V1Pod _pod;

    public PodRunner(CriClient cri, V1Pod pod, PodSandboxConfigBuilder sandboxBuilder, PodRunnerOptions? options = null, PodServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(cri);
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(sandboxBuilder);
        _cri = cri;
        _pod = pod;
        _sandboxBuilder = sandboxBuilder;
        _options = options ?? new PodRunnerOptions();
        _services = services ?? new PodServices();
        _ownsActions = _services.Actions is null;
        _actions = _services.Actions ?? new ProbeActions(cri);
        _statusBuilder = new PodStatusBuilder(_options.TimeProvider);
        // Without the node's puller (no API client, so no imagePullSecrets), a puller of the runner's own.
        _images = _services.Images ?? new ImagePuller(cri, null, _options.TimeProvider, _services.Events);
        _probes = new ProbeManager(_actions, _services.Events, _options.TimeProvider, () => Changed?.Invoke());
        _hooks = new LifecycleHookRunner(_actions, _options.TimeProvider);
        _backOff = new ContainerBackOff(_options.TimeProvider);
        _containers = new ContainerOperations(cri, _images, _services.Inputs, _services.Events, _hooks, _options.TimeProvider, _options.SeccompProfileRoot);
        _observer = new PodRuntimeObserver(cri, PodSandboxConfigBuilder.Identity(pod).Uid, _services.Relist, _options.TimeProvider);
    }

    /// <summary>Raised (from a probe worker) when a probe result changes, so the owner can sync the pod sooner.</summary>
    public event Action? Changed;

    /// <summary>The pod as the last sync saw it.</summary>
    public V1Pod Pod => Volatile.Read(ref _pod);

    /// <summary>The pod's current sandbox, or null before one is running.</summary>
    public string? SandboxId { get; private set; }

    /// <summary>Containers that are not running and why (ErrImagePull, CrashLoopBackOff, ...), as of the last sync.</summary>
    public IReadOnlyDictionary<string, ContainerWaitingReason> Waiting => Volatile.Read(ref _waiting);

    /// <summary>When the pod wants its next sync sooner than the caller's interval (a back-off ending, an init container running); null otherwise.</summary>
    public TimeSpan? RequeueAfter { get; private set; }

    /// <summary>
    /// One pass of the pod's sync against <paramref name="pod"/> (the latest spec): makes what is missing, restarts what
    /// policy says to restart, kills what failed its probes, and returns the pod's status afterwards.
    /// </summary>
    public async Task<V1PodStatus> SyncAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _pod, pod);
            var sync = new SyncPass(pod);
            var state = await _observer.ObserveAsync(fresh: false, cancellationToken).ConfigureAwait(false);
            if (await SyncSandboxAsync(sync, state, cancellationToken).ConfigureAwait(false))
            {
                state = await _observer.ObserveAsync(fresh: true, cancellationToken).ConfigureAwait(false);
            }

            if (await PruneAsync(state, cancellationToken).ConfigureAwait(false))
            {
                state = await _observer.ObserveAsync(fresh: true, cancellationToken).ConfigureAwait(false);
            }

            if (state.SandboxReady && await SyncContainersAsync(sync, state, cancellationToken).ConfigureAwait(false))
            {
                state = await _observer.ObserveAsync(fresh: true, cancellationToken).ConfigureAwait(false);
            }

            SandboxId = state.Sandbox?.Id;
            // Containers started by this pass get their probe workers now, so their first status already counts them.
            SyncProbes(pod, state);
            _backOffReported.IntersectWith(state.Containers.Select(container => container.Id));
            Volatile.Write(ref _waiting, sync.Waiting);
            RequeueAfter = sync.RequeueAfter;
            return Build(pod, state, sync.Waiting);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The pod's status as the runtime reports it now, without acting.</summary>
    public async Task<V1PodStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await _observer.ObserveAsync(fresh: true, cancellationToken).ConfigureAwait(false);
            return Build(Pod, state, Waiting);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Kills the pod as the kubelet's killPodWithSyncResult: every running container in parallel (preStop hook, then
    /// SIGTERM and SIGKILL when the rest of the grace period is over), then removes the containers and sandboxes and
    /// tears down the pod's volumes.
    /// </summary>
    public async Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pod = Pod;
            _probes.Sync(pod, [], null);
            var state = await _observer.ObserveAsync(fresh: true, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(state.Containers
                .Where(container => container.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated)
                .Select(container => _containers.KillAsync(pod, SpecOf(pod, container.Metadata.Name), container.Id, ProbeHost(pod, state), gracePeriod, cancellationToken)))
                .ConfigureAwait(false);
            foreach (var container in state.Containers)
            {
                await _containers.RemoveAsync(container.Id, cancellationToken).ConfigureAwait(false);
            }

            foreach (var sandbox in state.Sandboxes)
            {
                await _cri.StopPodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
                await _cri.RemovePodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
            }

            SandboxId = null;
            if (_services.Volumes is { } volumes)
            {
                await volumes.TearDownAsync(PodSandboxConfigBuilder.Identity(pod).Uid, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _probes.DisposeAsync().ConfigureAwait(false);
        if (_ownsActions)
        {
            _actions.Dispose();
        }

        _gate.Dispose();
    }

    /// <summary>Makes sure a ready sandbox exists; true when it changed something.</summary>
    private async Task<bool> SyncSandboxAsync(SyncPass sync, RuntimePodState state, CancellationToken cancellationToken)
    {
        if (state.SandboxReady)
        {
            return false;
        }

        var pod = sync.Pod;
        // As computePodActions: a Never pod whose sandbox died after its containers ran is not brought back.
        if (state.Sandbox is not null && RestartPolicy(pod) == "Never" && state.Containers.Count > 0)
        {
            return false;
        }

        uint attempt = 0;
        if (state.Sandbox is not null)
        {
            attempt = state.Sandbox.Metadata.Attempt + 1;
            _services.Events.Event(pod, EventTypes.Normal, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
            _containers.RememberAttempts(state.Containers);

            await Task.WhenAll(state.Containers
                .Where(container => container.State == ContainerState.ContainerRunning)
                .Select(container => _containers.KillAsync(pod, SpecOf(pod, container.Metadata.Name), container.Id, ProbeHost(pod, state), ContainerOperations.GracePeriod(pod), cancellationToken)))
                .ConfigureAwait(false);
            foreach (var sandbox in state.Sandboxes)
            {
                await _cri.StopPodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
                await _cri.RemovePodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
            }
        }

        var config = _sandboxBuilder.Build(pod, attempt);
        Directory.CreateDirectory(config.LogDirectory);
        try
        {
            SandboxId = await _cri.RunPodSandboxAsync(config, _options.RuntimeHandler, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            _services.Events.Event(pod, EventTypes.Warning, "FailedCreatePodSandBox", $"Failed to create pod sandbox: {e.Status.Detail}");
        }

        return true;
    }

    /// <summary>Kills failed containers, runs the init containers and starts or restarts the app containers; true when it changed something.</summary>
    private async Task<bool> SyncContainersAsync(SyncPass sync, RuntimePodState state, CancellationToken cancellationToken)
    {
        var pod = sync.Pod;
        // Only a ready sandbox gets here. Sandbox status is read when its state changes, so it is there.
        var sandbox = state.Sandbox!;
        var network = new PodNetworkInfo(NonEmpty(state.SandboxStatus?.Network?.Ip), _options.HostIP);
        var probeHost = ProbeHost(pod, state);
        var acted = false;

        var running = SyncProbes(pod, state);
        foreach (var container in running)
        {
            if (_probes.FailureOf(container.Id) is not { } failure)
            {
                continue;
            }

            var probe = failure.Type == ProbeType.Liveness ? "liveness" : "startup";
            _services.Events.Event(pod, ContainerFieldPath.Of(pod, container.Spec.Name), EventTypes.Normal, "Killing", $"Container {container.Spec.Name} failed {probe} probe, will be restarted");
            var grace = failure.TerminationGracePeriodSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : ContainerOperations.GracePeriod(pod);
            await _containers.KillAsync(pod, container.Spec, container.Id, probeHost, grace, cancellationToken, announce: false).ConfigureAwait(false);
            acted = true;
        }

        if (acted)
        {
            // The killed containers restart on the next pass, after their exit is seen.
            sync.Retry(TimeSpan.Zero);
            return true;
        }

        PodVolumes volumes;
        try
        {
            volumes = _services.Volumes is { } manager ? await manager.SetUpAsync(pod, cancellationToken).ConfigureAwait(false) : PodVolumes.None;
        }
        catch (VolumeSetupException e)
        {
            _services.Events.Event(pod, EventTypes.Warning, "FailedMount", e.Message);
            return false;
        }

        var sandboxConfig = _sandboxBuilder.Build(pod, sandbox.Metadata.Attempt);
        var start = new ContainerStartContext(sandbox.Id, sandboxConfig, network, probeHost, volumes);
        var restartPolicy = RestartPolicy(pod);
        acted |= await StartEphemeralContainersAsync(sync, state, start, cancellationToken).ConfigureAwait(false);
        var appDone = (pod.Spec?.Containers?.Count ?? 0) > 0 && (pod.Spec?.Containers ?? []).All(container =>
            state.LatestOf(container.Name) is { State: ContainerState.ContainerExited } latest && !ShouldRestart(restartPolicy, latest.ExitCode));
        foreach (var init in pod.Spec?.InitContainers ?? [])
        {
            var latest = state.LatestOf(init.Name);
            if (PodStatusBuilder.IsSidecar(init))
            {
                // Started, or no longer wanted because the app containers are done for good.
                if ((latest?.State == ContainerState.ContainerRunning && _probes.HealthOf(latest.Id).Started) || appDone)
                {
                    continue;
                }

                if (latest?.State is null or ContainerState.ContainerExited)
                {
                    acted |= await StartOrRestartAsync(sync, state, init, latest, start, cancellationToken).ConfigureAwait(false);
                }

                sync.Retry(InitPollInterval);
                return acted;
            }

            if (latest is null)
            {
                await _containers.StartAsync(sync, state, init, start, cancellationToken).ConfigureAwait(false);
                sync.Retry(InitPollInterval);
                return true;
            }

            switch (latest.State)
            {
                case ContainerState.ContainerExited when latest.ExitCode == 0:
                    continue;
                case ContainerState.ContainerExited when restartPolicy == "Never":
                    // The pod has failed; nothing more starts.
                    return false;
                case ContainerState.ContainerExited:
                    return await StartOrRestartAsync(sync, state, init, latest, start, cancellationToken).ConfigureAwait(false);
                default:
                    sync.Retry(InitPollInterval);
                    return false;
            }
        }

        foreach (var container in pod.Spec?.Containers ?? [])
        {
            var latest = state.LatestOf(container.Name);
            if (latest is null)
            {
                await _containers.StartAsync(sync, state, container, start, cancellationToken).ConfigureAwait(false);
                acted = true;
            }
            else if (latest.State == ContainerState.ContainerRunning && ContainerHash.Changed(container, latest.Annotations))
            {
                // As computePodActions: a changed spec (a new image) restarts the container whatever the restart policy.
                _services.Events.Event(pod, ContainerFieldPath.Of(pod, container.Name), EventTypes.Normal, "Killing", $"Container {container.Name} definition changed, will be restarted");
                await _containers.KillAsync(pod, container, latest.Id, probeHost, ContainerOperations.GracePeriod(pod), cancellationToken, announce: false)
                    .ConfigureAwait(false);
                await _containers.StartAsync(sync, state, container, start, cancellationToken).ConfigureAwait(false);
                acted = true;
            }
            else if (latest.State == ContainerState.ContainerExited && ShouldRestart(restartPolicy, latest.ExitCode))
            {
                acted |= await StartOrRestartAsync(sync, state, container, latest, start, cancellationToken).ConfigureAwait(false);
            }
            else if (latest.State is ContainerState.ContainerCreated or ContainerState.ContainerUnknown)
            {
                // Created but never started (a start that failed half-way): replace it with a fresh one.
                await _containers.RemoveAsync(latest.Id, cancellationToken).ConfigureAwait(false);
                sync.Retry(TimeSpan.Zero);
                acted = true;
            }
        }

        if (appDone)
        {
            acted |= await StopSidecarsAsync(pod, state, cancellationToken).ConfigureAwait(false);
        }

        return acted;
    }

    /// <summary>
    /// Starts the ephemeral containers that have not run, as computePodActions: whether or not the pod has initialized,
    /// once each, never restarted. One with a target joins that container's PID namespace, so it waits for it to run.
    /// </summary>
    private async Task<bool> StartEphemeralContainersAsync(SyncPass sync, RuntimePodState state, ContainerStartContext start, CancellationToken cancellationToken)
    {
        var acted = false;
        foreach (var (spec, target) in EphemeralContainers.Of(sync.Pod))
        {
            if (state.LatestOf(spec.Name) is not null)
            {
                continue;
            }

            string? targetId = null;
            if (target is not null)
            {
                if (state.LatestOf(target) is not { State: ContainerState.ContainerRunning } running)
                {
                    sync.Waiting[spec.Name] = new ContainerWaitingReason("ContainerCreating", $"waiting for target container {target} to run");
                    sync.Retry(InitPollInterval);
                    continue;
                }

                targetId = running.Id;
            }

            await _containers.StartAsync(sync, state, spec, start, cancellationToken, targetId).ConfigureAwait(false);
            acted = true;
        }

        return acted;
    }

    /// <summary>
    /// Once every app container has exited for good, the sidecars still running are stopped, last-started first, as the
    /// kubelet does so that such a pod completes.
    /// </summary>
    private async Task<bool> StopSidecarsAsync(V1Pod pod, RuntimePodState state, CancellationToken cancellationToken)
    {
        var acted = false;
        foreach (var sidecar in (pod.Spec?.InitContainers ?? []).Where(PodStatusBuilder.IsSidecar).Reverse())
        {
            if (state.LatestOf(sidecar.Name) is { State: ContainerState.ContainerRunning } running)
            {
                await _containers.KillAsync(pod, sidecar, running.Id, ProbeHost(pod, state), ContainerOperations.GracePeriod(pod), cancellationToken)
                    .ConfigureAwait(false);
                acted = true;
            }
        }

        return acted;
    }

    /// <summary>
    /// Removes all but the newest exited attempt of each container (it is the lastState and what <c>logs --previous</c>
    /// reads), as the kubelet's container GC with one dead container per pod container; true when it removed any.
    /// </summary>
    private async Task<bool> PruneAsync(RuntimePodState state, CancellationToken cancellationToken)
    {
        var newestExited = new Dictionary<string, ContainerStatus>(StringComparer.Ordinal);
        var remove = new List<string>();
        foreach (var container in state.Containers.Where(c => c.State == ContainerState.ContainerExited).OrderByDescending(c => c.CreatedAt))
        {
            if (!newestExited.TryAdd(container.Metadata.Name, container))
            {
                remove.Add(container.Id);
            }
        }

        foreach (var id in remove)
        {
            await _containers.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return remove.Count > 0;
    }

    /// <summary>Starts a container that has not run, or restarts an exited one unless it is in back-off; true when it started something.</summary>
    private async Task<bool> StartOrRestartAsync(
        SyncPass sync, RuntimePodState state, V1Container spec, ContainerStatus? latest, ContainerStartContext start, CancellationToken cancellationToken)
    {
        if (latest is not null)
        {
            var exitedAt = FromNanoseconds(latest.FinishedAt);
            if (_backOff.IsInBackOffSince(spec.Name, exitedAt))
            {
                var pod = sync.Pod;
                var message = $"back-off {Lifecycle.GoDuration.Format(_backOff.Get(spec.Name))} restarting failed container={spec.Name} pod={PodFormat.Of(pod)}";
                sync.Waiting[spec.Name] = new ContainerWaitingReason("CrashLoopBackOff", message);
                if (_backOffReported.Add(latest.Id))
                {
                    _services.Events.Event(pod, ContainerFieldPath.Of(pod, spec.Name), EventTypes.Warning, "BackOff", $"Back-off restarting failed container {spec.Name} in pod {PodFormat.Of(pod)}");
                }

                sync.Retry(_backOff.RetryAt(spec.Name, exitedAt) - _options.TimeProvider.GetUtcNow());
                return false;
            }

            _backOff.Next(spec.Name, exitedAt);
        }

        await _containers.StartAsync(sync, state, spec, start, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Gives every running container of the pod its probe workers (and stops those of containers gone); returns them.</summary>
    private List<ProbedContainer> SyncProbes(V1Pod pod, RuntimePodState state)
    {
        var running = new List<ProbedContainer>();
        if (state.SandboxReady)
        {
            foreach (var container in state.Containers)
            {
                if (container.State == ContainerState.ContainerRunning && SpecOf(pod, container.Metadata.Name) is { } spec)
                {
                    running.Add(new ProbedContainer(spec, container.Id, FromNanoseconds(container.StartedAt)));
                }
            }
        }

        _probes.Sync(pod, running, ProbeHost(pod, state));
        return running;
    }

    private V1PodStatus Build(V1Pod pod, RuntimePodState state, IReadOnlyDictionary<string, ContainerWaitingReason> waiting) =>
        _statusBuilder.Build(pod, state.SandboxStatus, state.Containers.ToList(), waiting, _options.HostIP, _probes.HealthOf);

    private static bool ShouldRestart(string restartPolicy, int exitCode) =>
        restartPolicy == "Always" || (restartPolicy == "OnFailure" && exitCode != 0);

    private static string RestartPolicy(V1Pod pod) => string.IsNullOrEmpty(pod.Spec?.RestartPolicy) ? "Always" : pod.Spec.RestartPolicy;

    private static V1Container? SpecOf(V1Pod pod, string name) =>
        pod.Spec?.Containers?.FirstOrDefault(container => container.Name == name)
        ?? pod.Spec?.InitContainers?.FirstOrDefault(container => container.Name == name)
        ?? EphemeralContainers.Of(pod).Select(ephemeral => ephemeral.Spec).FirstOrDefault(container => container.Name == name);

    /// <summary>Where probes and hooks dial: the pod IP, or the node's IP for a host-network pod, as the kubelet's prober.</summary>
    private string? ProbeHost(V1Pod pod, RuntimePodState state) =>
        pod.Spec?.HostNetwork == true ? _options.HostIP : NonEmpty(state.SandboxStatus?.Network?.Ip);

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTimeOffset FromNanoseconds(long nanoseconds) => DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100);
}
