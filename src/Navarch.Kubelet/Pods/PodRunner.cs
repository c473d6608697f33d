using System.Collections.Concurrent;
using Grpc.Core;
using k8s.Models;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// Runs one pod through the CRI in one pass, in the kubelet's SyncPod order: the sandbox, then each init container to a
/// successful exit before the next, then the app containers. A container whose image is not on the node is not pulled;
/// it is left waiting with <c>ErrImagePull</c> (or <c>ErrImageNeverPull</c>), as are config and start errors with the
/// kubelet's reasons. Containers are not restarted yet. The runtime's objects are found by the pod UID label, so
/// <see cref="GetStatusAsync"/> and <see cref="StopAsync"/> also work on a pod started by another runner.
/// </summary>
public sealed class PodRunner
{
    private readonly CriClient _cri;
    private readonly PodSandboxConfigBuilder _sandboxBuilder;
    private readonly ContainerConfigBuilder _containerBuilder;
    private readonly PodStatusBuilder _statusBuilder;
    private readonly PodRunnerOptions _options;
    private readonly ConcurrentDictionary<string, ContainerWaitingReason> _waiting = new();
    private readonly string _uid;

    public PodRunner(CriClient cri, V1Pod pod, PodSandboxConfigBuilder sandboxBuilder, PodRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cri);
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(sandboxBuilder);
        _cri = cri;
        Pod = pod;
        _sandboxBuilder = sandboxBuilder;
        _options = options ?? new PodRunnerOptions();
        _containerBuilder = new ContainerConfigBuilder();
        _statusBuilder = new PodStatusBuilder(_options.TimeProvider);
        _uid = PodSandboxConfigBuilder.Identity(pod).Uid;
    }

    public V1Pod Pod { get; }

    /// <summary>The sandbox this runner started, or null before <see cref="RunAsync"/>.</summary>
    public string? SandboxId { get; private set; }

    /// <summary>Containers this runner could not start, by name, with the kubelet's waiting reason.</summary>
    public IReadOnlyDictionary<string, ContainerWaitingReason> Waiting => _waiting;

    /// <summary>
    /// Starts the sandbox, runs the init containers in order and starts the app containers. Returns once the app
    /// containers are started, or early when an init container cannot run or exits non-zero.
    /// </summary>
    /// <exception cref="RpcException">The sandbox could not be started.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var sandboxConfig = _sandboxBuilder.Build(Pod);
        Directory.CreateDirectory(sandboxConfig.LogDirectory);
        SandboxId = await _cri.RunPodSandboxAsync(sandboxConfig, _options.RuntimeHandler, cancellationToken).ConfigureAwait(false);
        var sandbox = await _cri.PodSandboxStatusAsync(SandboxId, verbose: false, cancellationToken).ConfigureAwait(false);
        var podIP = sandbox.Status.Network?.Ip;
        var network = new PodNetworkInfo(string.IsNullOrEmpty(podIP) ? null : podIP, _options.HostIP);

        foreach (var init in Pod.Spec?.InitContainers ?? [])
        {
            var id = await StartContainerAsync(SandboxId, sandboxConfig, init, network, cancellationToken).ConfigureAwait(false);
            if (id is null || await WaitForExitAsync(id, cancellationToken).ConfigureAwait(false) != 0)
            {
                return;
            }
        }

        foreach (var container in Pod.Spec?.Containers ?? [])
        {
            // As the kubelet does, one container that cannot start does not hold back the others.
            await StartContainerAsync(SandboxId, sandboxConfig, container, network, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The pod's status as the runtime reports it now.</summary>
    public async Task<V1PodStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var sandboxes = await _cri.ListPodSandboxAsync(PodFilter(), cancellationToken).ConfigureAwait(false);
        PodSandboxStatus? sandbox = null;
        if (sandboxes.MaxBy(item => item.CreatedAt) is { } latest)
        {
            sandbox = (await _cri.PodSandboxStatusAsync(latest.Id, verbose: false, cancellationToken).ConfigureAwait(false)).Status;
        }

        var statuses = new List<ContainerStatus>();
        foreach (var container in await _cri.ListContainersAsync(ContainerFilter(), cancellationToken).ConfigureAwait(false))
        {
            try
            {
                statuses.Add((await _cri.ContainerStatusAsync(container.Id, verbose: false, cancellationToken).ConfigureAwait(false)).Status);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Removed between list and status: it no longer belongs in the pod's status.
            }
        }

        return _statusBuilder.Build(Pod, sandbox, statuses, _waiting, _options.HostIP);
    }

    /// <summary>
    /// Stops every container of the pod with the grace period (SIGTERM, then SIGKILL), in parallel as the kubelet's
    /// killPodWithSyncResult does, removes them, then stops and removes the sandbox.
    /// </summary>
    public async Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var containers = await _cri.ListContainersAsync(ContainerFilter(), cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(containers.Select(container => StopAndRemoveContainerAsync(container, gracePeriod, cancellationToken))).ConfigureAwait(false);
        foreach (var sandbox in await _cri.ListPodSandboxAsync(PodFilter(), cancellationToken).ConfigureAwait(false))
        {
            await _cri.StopPodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
            await _cri.RemovePodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StopAndRemoveContainerAsync(Container container, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        if (container.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated)
        {
            await _cri.StopContainerAsync(container.Id, gracePeriod, cancellationToken).ConfigureAwait(false);
        }

        await _cri.RemoveContainerAsync(container.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates and starts one container; returns its id, or null after recording why it is left waiting.</summary>
    private async Task<string?> StartContainerAsync(
        string sandboxId, PodSandboxConfig sandboxConfig, V1Container container, PodNetworkInfo network, CancellationToken cancellationToken)
    {
        var image = await _cri.ImageStatusAsync(container.Image, cancellationToken).ConfigureAwait(false);
        if (image is null)
        {
            _waiting[container.Name] = container.ImagePullPolicy == "Never"
                // The kubelet's own message for this case.
                ? new ContainerWaitingReason("ErrImageNeverPull", $"Container image \"{container.Image}\" is not present with pull policy of Never")
                : new ContainerWaitingReason("ErrImagePull", $"image \"{container.Image}\" is not present on the node, and pulling images is not supported yet");
            return null;
        }

        ContainerConfig config;
        try
        {
            config = _containerBuilder.Build(Pod, container, restartCount: 0, network);
        }
        catch (ContainerConfigException e)
        {
            _waiting[container.Name] = new ContainerWaitingReason("CreateContainerConfigError", e.Message);
            return null;
        }

        Directory.CreateDirectory(Path.Combine(sandboxConfig.LogDirectory, container.Name));
        string id;
        try
        {
            id = await _cri.CreateContainerAsync(sandboxId, config, sandboxConfig, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            _waiting[container.Name] = new ContainerWaitingReason("CreateContainerError", e.Status.Detail);
            return null;
        }

        try
        {
            await _cri.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The container exists (exited or created) and reports its own state; the reason is kept for one that does not.
            _waiting[container.Name] = new ContainerWaitingReason("RunContainerError", e.Status.Detail);
            return null;
        }

        _waiting.TryRemove(container.Name, out _);
        return id;
    }

    private async Task<int> WaitForExitAsync(string containerId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = (await _cri.ContainerStatusAsync(containerId, verbose: false, cancellationToken).ConfigureAwait(false)).Status;
            if (status.State == ContainerState.ContainerExited)
            {
                return status.ExitCode;
            }

            await Task.Delay(_options.PollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private PodSandboxFilter PodFilter()
    {
        var filter = new PodSandboxFilter();
        filter.LabelSelector[KubernetesLabels.PodUid] = _uid;
        return filter;
    }

    private ContainerFilter ContainerFilter()
    {
        var filter = new ContainerFilter();
        filter.LabelSelector[KubernetesLabels.PodUid] = _uid;
        return filter;
    }
}
