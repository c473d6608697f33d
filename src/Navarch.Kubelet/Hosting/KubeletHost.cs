using System.Globalization;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Navarch.Client;
using Navarch.Client.Events;
using Navarch.Client.Hosting;
using Navarch.Client.Informers;
using Navarch.Kubelet.Containerd;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Gc;
using Navarch.Kubelet.Images;
using Navarch.Kubelet.Logs;
using Navarch.Kubelet.Node;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Pods.Lifecycle;
using Navarch.Kubelet.Pods.Probes;
using Navarch.Kubelet.Volumes;
using Navarch.Kubelet.Server;

namespace Navarch.Kubelet.Hosting;

/// <summary>
/// The kubelet as a hosted service: starts (or connects to) containerd, imports the pause image and the tarballs in
/// <c>agent/images/</c>, registers the Node and keeps its status, Lease and CNI config fresh, and runs the pods bound
/// to this node through one <see cref="PodWorker"/> per pod UID fed by a pod informer on <c>spec.nodeName</c>.
/// </summary>
public sealed class KubeletHost(
    KubeletHostOptions options,
    Func<ClientRateLimit, IKubernetes> clientFactory,
    ILoggerFactory loggers,
    TimeProvider time) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<KubeletHost>();
    private readonly ComponentRun _run = new();
    private readonly Dictionary<string, (PodWorker Worker, Task Running)> _workers = [];
    private readonly Lock _workersLock = new();
    private IKubernetes? _client;
    private ContainerdSupervisor? _containerd;
    private CriClient? _externalCri;
    private SharedInformerFactory? _informers;
    private EventHandlerRegistration? _podHandler;
    private PodSandboxConfigBuilder? _sandboxBuilder;
    private PodRunnerOptions? _runnerOptions;
    private PodServices? _podServices;
    private EventRecorder? _events;
    private int _containerdStopped;
    private int _disposed;
    private KubeletServer? _kubeletServer;

    /// <summary>The CRI client on the container runtime this kubelet uses; null before <see cref="StartAsync"/>.</summary>
    public CriClient? Runtime => _containerd?.Client ?? _externalCri;

    /// <summary>The supervised containerd, or null when the kubelet uses one named by the runtime endpoint.</summary>
    public ContainerdSupervisor? Containerd => _containerd;

    /// <summary>The port the kubelet API listens on once started; null when it is not served (no client CA configured).</summary>
    public int? KubeletPort => _kubeletServer?.Port;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        Directory.CreateDirectory(options.DataDirectory);
        Directory.CreateDirectory(options.SeccompProfileDirectory);
        _client = clientFactory(options.RateLimit);

        string socket, snapshotter, runtimeVersion, sandboxImage, cniConfDirectory, imageFilesystem;
        CriClient cri;
        if (options.ContainerRuntimeSocket is { } external)
        {
            _externalCri = cri = new CriClient(external);
            runtimeVersion = (await cri.VersionAsync(cancellationToken).ConfigureAwait(false)).RuntimeVersion;
            (socket, snapshotter) = (external, options.ExternalSnapshotter);
            sandboxImage = BusyboxImages.PauseReference;

            // containerd's own default CNI conf_dir and root.
            cniConfDirectory = "/etc/cni/net.d";
            imageFilesystem = "/var/lib/containerd";
        }
        else
        {
            var containerdOptions = new ContainerdOptions { DataDirectory = options.ContainerdDirectory, ContainerdPath = options.ContainerdPath };
            _containerd = await ContainerdSupervisor.StartAsync(containerdOptions, cancellationToken).ConfigureAwait(false);
            cri = _containerd.Client;
            (socket, snapshotter, runtimeVersion) = (containerdOptions.SocketPath, _containerd.Snapshotter, _containerd.RuntimeVersion);
            sandboxImage = containerdOptions.SandboxImage;
            cniConfDirectory = containerdOptions.CniConfDirectory;
            imageFilesystem = containerdOptions.RootDirectory;
        }

        await ImportImagesAsync(cri, new ContainerdImageImporter(socket, snapshotter), sandboxImage, cancellationToken).ConfigureAwait(false);

        var info = new NodeInfoProbe().Probe(options.DataDirectory, options.NodeName);
        var kubeletPort = await StartKubeletServerAsync(cri, info, cancellationToken).ConfigureAwait(false);
        var nodeOptions = new NodeOptions
        {
            NodeName = options.NodeName,
            NodeStatusUpdateFrequency = options.NodeStatusUpdateFrequency,
            LeaseRenewInterval = options.LeaseRenewInterval,
            KubeletPort = kubeletPort,
        };
        var registrar = new NodeRegistrar(
            _client, nodeOptions, info, runtimeVersion, time, loggers.CreateLogger<NodeRegistrar>(), new RuntimeReadiness(cri).ProblemAsync);
        var lease = new NodeLeaseRenewer(_client, nodeOptions, time, loggers.CreateLogger<NodeLeaseRenewer>());
        var cni = new CniConfigWriter(cniConfDirectory, Path.Combine(options.CniDirectory, "ipam"), loggers.CreateLogger<CniConfigWriter>());

        // As the kubelet's registerWithAPIServer, the node is registered before pods are looked at; failures retry in the background.
        try
        {
            await registrar.RegisterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            KubeletLog.RegistrationDeferred(_logger, options.NodeName, e);
        }

        _sandboxBuilder = new PodSandboxConfigBuilder(options.LogsDirectory) { SeccompProfileRoot = options.SeccompProfileDirectory };
        _runnerOptions = new PodRunnerOptions { HostIP = info.InternalIP, TimeProvider = time, SeccompProfileRoot = options.SeccompProfileDirectory };
        // As the kubelet: events come from component "kubelet" on host <node name>.
        _events = new EventRecorder(_client, "kubelet", options.NodeName, loggers, time);
        await _events.StartAsync(cancellationToken).ConfigureAwait(false);
        // What resourceFieldRef env and Burstable OOM scores fall back to when a container sets no limit.
        var allocatable = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(info.CpuCount.ToString(CultureInfo.InvariantCulture)),
            ["memory"] = new(info.MemoryBytes.ToString(CultureInfo.InvariantCulture)),
            ["ephemeral-storage"] = new(info.EphemeralStorageBytes.ToString(CultureInfo.InvariantCulture)),
        };
        _podServices = new PodServices
        {
            Volumes = new PodVolumeManager(_client, options.PodsDirectory, time, loggers.CreateLogger<PodVolumeManager>()) { NodeAllocatable = allocatable },
            Inputs = new ContainerInputsResolver(_client, cri, allocatable, time),
            Images = new ImagePuller(cri, _client, time, _events, loggers.CreateLogger<ImagePuller>()),
            Events = _events,
            Actions = new ProbeActions(cri),
            // One runtime listing per status interval for the whole node, as the kubelet's PLEG, not one per pod.
            Relist = new RuntimeRelist(cri, options.PodStatusInterval, time),
        };
        _informers = new SharedInformerFactory(_client, loggers, time);
        var pods = _informers.For<V1Pod>(fieldSelector: "spec.nodeName=" + options.NodeName);
        _podHandler = pods.AddEventHandler(new ResourceEventHandler<V1Pod>(
            (pod, _) => OnPod(pod),
            (_, pod) => OnPod(pod),
            (pod, _) => OnPodDeleted(pod)));
        _informers.Start(_run.Stopping);
        var gc = new GarbageCollectionLoop(
            new ContainerGarbageCollector(
                cri, new ContainerGcOptions { PodLogsDirectory = options.LogsDirectory }, () => LivePodUids(pods), time, loggers.CreateLogger<ContainerGarbageCollector>()),
            new ImageGarbageCollector(
                cri, new ImageGcOptions { SandboxImage = sandboxImage, ImageFilesystemPath = imageFilesystem }, () => LivePodUids(pods), time,
                loggers.CreateLogger<ImageGarbageCollector>()),
            time,
            loggers.CreateLogger<GarbageCollectionLoop>());
        _run.Start(_informers, stopping => Task.WhenAll(
            registrar.RunAsync(stopping),
            lease.RunAsync(stopping),
            cni.RunAsync(_client, options.NodeName, nodeOptions.RetryInterval, time, stopping),
            RunGarbageCollectionAsync(gc, pods, stopping),
            new ContainerLogRotator(cri, options.LogRotation, time, loggers.CreateLogger<ContainerLogRotator>()).RunAsync(stopping)));
        KubeletLog.Started(_logger, options.NodeName, runtimeVersion);
    }

    /// <summary>
    /// Collects only once the pod informer has synced: before that every pod would look deleted and its exited
    /// containers would be removed.
    /// </summary>
    private static async Task RunGarbageCollectionAsync(GarbageCollectionLoop gc, SharedIndexInformer<V1Pod> pods, CancellationToken stopping)
    {
        await pods.WaitForSyncAsync(stopping).ConfigureAwait(false);
        await gc.RunAsync(stopping).ConfigureAwait(false);
    }

    private static HashSet<string> LivePodUids(SharedIndexInformer<V1Pod> pods) =>
        pods.Indexer.List().Select(pod => pod.Uid()).ToHashSet(StringComparer.Ordinal);

    private async Task ImportImagesAsync(CriClient cri, ContainerdImageImporter importer, string sandboxImage, CancellationToken cancellationToken)
    {
        // There is no registry to pull the sandbox image from: build it from this machine's busybox unless it is there.
        if (await cri.ImageStatusAsync(sandboxImage, cancellationToken).ConfigureAwait(false) is null)
        {
            var pause = Path.Combine(options.DataDirectory, ".pause-" + Guid.NewGuid().ToString("N") + ".tar");
            try
            {
                await using (var output = File.Create(pause))
                {
                    await BusyboxImages.WritePauseAsync(output, BusyboxImages.BuildLayer(), sandboxImage, cancellationToken).ConfigureAwait(false);
                }

                await importer.ImportAsync(pause, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(pause);
            }
        }

        if (!Directory.Exists(options.ImagesDirectory))
        {
            return;
        }

        foreach (var tarball in ImageTarballs.Find(options.ImagesDirectory))
        {
            await importer.ImportAsync(tarball, cancellationToken).ConfigureAwait(false);
            KubeletLog.ImageImported(_logger, tarball);
        }
    }

    private void OnPod(V1Pod pod)
    {
        lock (_workersLock)
        {
            if (_workers.TryGetValue(pod.Uid(), out var existing))
            {
                existing.Worker.Update(pod);
                return;
            }

            if (_run.Stopping.IsCancellationRequested)
            {
                return;
            }

            // Checked by StartAsync before the informer runs.
            var worker = new PodWorker(_client!, Runtime!, _sandboxBuilder!, _runnerOptions!, _podServices!, options.PodStatusInterval, pod, _logger);
            _workers[pod.Uid()] = (worker, RunWorkerAsync(worker, pod));
        }
    }

    private void OnPodDeleted(V1Pod pod)
    {
        lock (_workersLock)
        {
            if (_workers.TryGetValue(pod.Uid(), out var existing))
            {
                existing.Worker.Remove(pod);
            }
        }
    }

    private async Task RunWorkerAsync(PodWorker worker, V1Pod pod)
    {
        // Off the informer's thread: the handler only records the worker.
        await Task.Yield();
        try
        {
            await worker.RunAsync(_run.Stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_run.Stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            KubeletLog.WorkerFailed(_logger, pod.Namespace(), pod.Name(), e);
        }
        finally
        {
            lock (_workersLock)
            {
                _workers.Remove(pod.Uid());
            }
        }
    }

    /// <summary>Stops the pod workers and background loops and the supervised containerd; containers keep running in their shims.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _run.StopAsync(cancellationToken).ConfigureAwait(false);
        await StopWorkersAsync(cancellationToken).ConfigureAwait(false);
        await StopKubeletServerAsync().ConfigureAwait(false);
        await StopContainerdAsync().ConfigureAwait(false);
    }

    /// <summary>Starts the kubelet API once the runtime is up and returns the port the Node reports.</summary>
    private async Task<int> StartKubeletServerAsync(CriClient cri, NodeInfo info, CancellationToken cancellationToken)
    {
        if (options.ClientCaPem is null && options.ClientCaFile is null)
        {
            return options.KubeletPort;
        }

        var addresses = System.Net.IPAddress.TryParse(info.InternalIP, out var internalIP) ? new[] { internalIP } : [];
        var server = new KubeletServer(
            new KubeletServerOptions
            {
                NodeName = options.NodeName,
                CertificateDirectory = options.KubeletDirectory,
                Port = options.KubeletPort,
                BindAddress = options.KubeletBindAddress,
                ClientCaPem = options.ClientCaPem,
                ClientCaFile = options.ClientCaFile,
                ServingAddresses = addresses,
                FilesystemRoot = options.DataDirectory,
            },
            cri,
            loggers,
            time);
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        _kubeletServer = server;
        return server.Port;
    }

    private async Task StopKubeletServerAsync()
    {
        if (Interlocked.Exchange(ref _kubeletServer, null) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StopContainerdAsync()
    {
        if (_containerd is not null && Interlocked.Exchange(ref _containerdStopped, 1) == 0)
        {
            await _containerd.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StopWorkersAsync(CancellationToken cancellationToken)
    {
        Task[] running;
        lock (_workersLock)
        {
            running = _workers.Values.Select(entry => entry.Running).ToArray();
        }

        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _podHandler?.Dispose();
        await _run.DisposeAsync().ConfigureAwait(false);
        await StopWorkersAsync(CancellationToken.None).ConfigureAwait(false);
        await StopKubeletServerAsync().ConfigureAwait(false);
        await StopContainerdAsync().ConfigureAwait(false);
        _podServices?.Actions?.Dispose();
        if (_events is not null)
        {
            await _events.DisposeAsync().ConfigureAwait(false);
        }

        _externalCri?.Dispose();
        _client?.Dispose();
    }
}
