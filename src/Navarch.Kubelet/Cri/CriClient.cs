using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Cri;

/// <summary>
/// A CRI v1 client (RuntimeService and ImageService) over a container runtime's unix socket,
/// as the kubelet's remote runtime does. Every call carries a deadline: the caller's token, and
/// no more than <see cref="CriClientOptions.CallTimeout"/> (image pulls use <see cref="CriClientOptions.PullTimeout"/>).
/// </summary>
public sealed class CriClient : IDisposable
{
    /// <summary>The CRI API version the kubelet asks for in <c>Version</c>.</summary>
    public const string ApiVersion = "v1";

    private readonly GrpcChannel _channel;
    private readonly RuntimeService.RuntimeServiceClient _runtime;
    private readonly ImageService.ImageServiceClient _images;
    private readonly CriClientOptions _options;

    public CriClient(string socketPath, CriClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = socketPath;
        _options = options ?? new CriClientOptions();
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The authority is a placeholder: the connect callback ignores it and dials the socket.
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            // ExecSync output is capped at 16 MiB per stream by the runtime; leave room for both.
            MaxReceiveMessageSize = 40 * 1024 * 1024,
        });
        _runtime = new RuntimeService.RuntimeServiceClient(_channel);
        _images = new ImageService.ImageServiceClient(_channel);
    }

    /// <summary>Path of the runtime's unix socket.</summary>
    public string SocketPath { get; }

    public async Task<VersionResponse> VersionAsync(CancellationToken cancellationToken) =>
        await _runtime.VersionAsync(new VersionRequest { Version = ApiVersion }, Options(cancellationToken)).ConfigureAwait(false);

    public async Task<StatusResponse> StatusAsync(bool verbose, CancellationToken cancellationToken) =>
        await _runtime.StatusAsync(new StatusRequest { Verbose = verbose }, Options(cancellationToken)).ConfigureAwait(false);

    public async Task<string> RunPodSandboxAsync(PodSandboxConfig config, string runtimeHandler, CancellationToken cancellationToken)
    {
        var response = await _runtime.RunPodSandboxAsync(
            new RunPodSandboxRequest { Config = config, RuntimeHandler = runtimeHandler }, Options(cancellationToken)).ConfigureAwait(false);
        return response.PodSandboxId;
    }

    public async Task StopPodSandboxAsync(string podSandboxId, CancellationToken cancellationToken) =>
        await _runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = podSandboxId }, Options(cancellationToken)).ConfigureAwait(false);

    public async Task RemovePodSandboxAsync(string podSandboxId, CancellationToken cancellationToken) =>
        await _runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = podSandboxId }, Options(cancellationToken)).ConfigureAwait(false);

    public async Task<PodSandboxStatusResponse> PodSandboxStatusAsync(string podSandboxId, bool verbose, CancellationToken cancellationToken) =>
        await _runtime.PodSandboxStatusAsync(
            new PodSandboxStatusRequest { PodSandboxId = podSandboxId, Verbose = verbose }, Options(cancellationToken)).ConfigureAwait(false);

    public async Task<IReadOnlyList<PodSandbox>> ListPodSandboxAsync(PodSandboxFilter? filter, CancellationToken cancellationToken)
    {
        var response = await _runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter }, Options(cancellationToken)).ConfigureAwait(false);
        return response.Items;
    }

    public async Task<string> CreateContainerAsync(
        string podSandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig, CancellationToken cancellationToken)
    {
        var response = await _runtime.CreateContainerAsync(
            new CreateContainerRequest { PodSandboxId = podSandboxId, Config = config, SandboxConfig = sandboxConfig },
            Options(cancellationToken)).ConfigureAwait(false);
        return response.ContainerId;
    }

    public async Task StartContainerAsync(string containerId, CancellationToken cancellationToken) =>
        await _runtime.StartContainerAsync(new StartContainerRequest { ContainerId = containerId }, Options(cancellationToken)).ConfigureAwait(false);

    /// <summary>Stops a container: SIGTERM, then SIGKILL after <paramref name="gracePeriod"/> (whole seconds, as CRI carries it).</summary>
    public async Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var seconds = (long)Math.Ceiling(gracePeriod.TotalSeconds);
        // The runtime waits out the grace period inside the call, so the deadline must cover it.
        await _runtime.StopContainerAsync(
            new StopContainerRequest { ContainerId = containerId, Timeout = seconds },
            Options(cancellationToken, _options.CallTimeout + TimeSpan.FromSeconds(seconds))).ConfigureAwait(false);
    }

    public async Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) =>
        await _runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = containerId }, Options(cancellationToken)).ConfigureAwait(false);

    public async Task<IReadOnlyList<Container>> ListContainersAsync(ContainerFilter? filter, CancellationToken cancellationToken)
    {
        var response = await _runtime.ListContainersAsync(new ListContainersRequest { Filter = filter }, Options(cancellationToken)).ConfigureAwait(false);
        return response.Containers;
    }

    public async Task<ContainerStatusResponse> ContainerStatusAsync(string containerId, bool verbose, CancellationToken cancellationToken) =>
        await _runtime.ContainerStatusAsync(
            new ContainerStatusRequest { ContainerId = containerId, Verbose = verbose }, Options(cancellationToken)).ConfigureAwait(false);

    /// <summary>Runs a command in a running container and waits for it, for at most <paramref name="timeout"/> (whole seconds; zero means no runtime-side limit).</summary>
    public async Task<ExecSyncResponse> ExecSyncAsync(
        string containerId, IEnumerable<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seconds = (long)Math.Ceiling(timeout.TotalSeconds);
        var request = new ExecSyncRequest { ContainerId = containerId, Timeout = seconds };
        request.Cmd.AddRange(command);
        return await _runtime.ExecSyncAsync(request, Options(cancellationToken, _options.CallTimeout + TimeSpan.FromSeconds(seconds))).ConfigureAwait(false);
    }

    /// <summary>
    /// Prepares an exec in a running container and returns the one-time URL on the runtime's streaming server that
    /// the client's upgraded connection is proxied to, as the kubelet does with <c>Exec</c>.
    /// </summary>
    public async Task<Uri> ExecAsync(
        string containerId, IEnumerable<string> command, bool tty, bool stdin, bool stdout, bool stderr, CancellationToken cancellationToken)
    {
        var request = new ExecRequest { ContainerId = containerId, Tty = tty, Stdin = stdin, Stdout = stdout, Stderr = stderr };
        request.Cmd.AddRange(command);
        var response = await _runtime.ExecAsync(request, Options(cancellationToken)).ConfigureAwait(false);
        return new Uri(response.Url);
    }

    /// <summary>Prepares an attach to a running container's main process; returns the streaming server's one-time URL.</summary>
    public async Task<Uri> AttachAsync(string containerId, bool tty, bool stdin, bool stdout, bool stderr, CancellationToken cancellationToken)
    {
        var response = await _runtime.AttachAsync(
            new AttachRequest { ContainerId = containerId, Tty = tty, Stdin = stdin, Stdout = stdout, Stderr = stderr },
            Options(cancellationToken)).ConfigureAwait(false);
        return new Uri(response.Url);
    }

    /// <summary>
    /// Prepares a port forward into a sandbox's network namespace; returns the streaming server's one-time URL.
    /// The ports usually come later, over the stream (SPDY stream headers or the WebSocket's <c>port</c> query).
    /// </summary>
    public async Task<Uri> PortForwardAsync(string podSandboxId, IEnumerable<int> ports, CancellationToken cancellationToken)
    {
        var request = new PortForwardRequest { PodSandboxId = podSandboxId };
        request.Port.AddRange(ports);
        var response = await _runtime.PortForwardAsync(request, Options(cancellationToken)).ConfigureAwait(false);
        return new Uri(response.Url);
    }

    public async Task<ContainerStats> ContainerStatsAsync(string containerId, CancellationToken cancellationToken)
    {
        var response = await _runtime.ContainerStatsAsync(
            new ContainerStatsRequest { ContainerId = containerId }, Options(cancellationToken)).ConfigureAwait(false);
        return response.Stats;
    }

    public async Task<IReadOnlyList<ContainerStats>> ListContainerStatsAsync(ContainerStatsFilter? filter, CancellationToken cancellationToken)
    {
        var response = await _runtime.ListContainerStatsAsync(
            new ListContainerStatsRequest { Filter = filter }, Options(cancellationToken)).ConfigureAwait(false);
        return response.Stats;
    }

    /// <summary>Asks the runtime to reopen a container's log file, after the kubelet rotated it.</summary>
    public async Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken) =>
        await _runtime.ReopenContainerLogAsync(
            new ReopenContainerLogRequest { ContainerId = containerId }, Options(cancellationToken)).ConfigureAwait(false);

    /// <summary>Usage of the filesystems the runtime keeps images on.</summary>
    public async Task<IReadOnlyList<FilesystemUsage>> ImageFsInfoAsync(CancellationToken cancellationToken)
    {
        var response = await _images.ImageFsInfoAsync(new ImageFsInfoRequest(), Options(cancellationToken)).ConfigureAwait(false);
        return response.ImageFilesystems;
    }

    public async Task<IReadOnlyList<Image>> ListImagesAsync(ImageFilter? filter, CancellationToken cancellationToken)
    {
        var response = await _images.ListImagesAsync(new ListImagesRequest { Filter = filter }, Options(cancellationToken)).ConfigureAwait(false);
        return response.Images;
    }

    /// <summary>Returns the image, or null when the runtime does not have it (CRI answers with an empty status, not an error).</summary>
    public async Task<Image?> ImageStatusAsync(string image, CancellationToken cancellationToken)
    {
        var response = await _images.ImageStatusAsync(
            new ImageStatusRequest { Image = new ImageSpec { Image = image } }, Options(cancellationToken)).ConfigureAwait(false);
        return response.Image;
    }

    /// <summary>Pulls an image and returns the runtime's reference to it (an image ID or digest).</summary>
    public async Task<string> PullImageAsync(string image, AuthConfig? auth, PodSandboxConfig? sandboxConfig, CancellationToken cancellationToken)
    {
        var response = await _images.PullImageAsync(
            new PullImageRequest { Image = new ImageSpec { Image = image }, Auth = auth, SandboxConfig = sandboxConfig },
            Options(cancellationToken, _options.PullTimeout)).ConfigureAwait(false);
        return response.ImageRef;
    }

    public async Task RemoveImageAsync(string image, CancellationToken cancellationToken) =>
        await _images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = image } }, Options(cancellationToken)).ConfigureAwait(false);

    public void Dispose() => _channel.Dispose();

    private CallOptions Options(CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        new(deadline: DateTime.UtcNow + (timeout ?? _options.CallTimeout), cancellationToken: cancellationToken);
}
