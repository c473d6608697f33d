using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Kubelet.Hosting;
using Navarch.Kubelet.Images;
using Navarch.Testing;

namespace Navarch.Kubelet.Tests.Hosting;

/// <summary>
/// An in-process API server and a <see cref="KubeletHost"/> for node <see cref="NodeName"/> running its own containerd
/// in a temporary agent directory, with busybox placed in <c>agent/images/</c> so the kubelet imports it at start.
/// </summary>
public sealed class KubeletHostFixture : ApiServerFixture, IAsyncLifetime
{
    public const string NodeName = "kubelet-test";

    private readonly string _directory = Directory.CreateTempSubdirectory("nvkh-").FullName;
    private KubeletHost? _kubelet;

    public KubeletHost Kubelet => _kubelet ?? throw new InvalidOperationException("the kubelet is not started");

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        var options = new KubeletHostOptions
        {
            NodeName = NodeName,
            DataDirectory = Path.Combine(_directory, "agent"),
            NodeStatusUpdateFrequency = TimeSpan.FromSeconds(2),
            LeaseRenewInterval = TimeSpan.FromSeconds(2),
            PodStatusInterval = TimeSpan.FromMilliseconds(200),
        };
        Directory.CreateDirectory(options.ImagesDirectory);
        await using (var output = File.Create(Path.Combine(options.ImagesDirectory, "busybox.tar")))
        {
            await BusyboxImages.WriteBusyboxAsync(output, BusyboxImages.BuildLayer(), timeout.Token);
        }

        _kubelet = new KubeletHost(options, ClientFor("system:node:" + NodeName), NullLoggerFactory.Instance, TimeProvider.System);
        await _kubelet.StartAsync(timeout.Token);
    }

    protected override async Task StopComponentsAsync()
    {
        if (_kubelet is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            // The kubelet leaves containers running when it stops; the tests leave nothing behind.
            if (_kubelet.Runtime is { } cri)
            {
                foreach (var sandbox in await cri.ListPodSandboxAsync(null, timeout.Token))
                {
                    await cri.StopPodSandboxAsync(sandbox.Id, timeout.Token);
                    await cri.RemovePodSandboxAsync(sandbox.Id, timeout.Token);
                }
            }
        }
        finally
        {
            await _kubelet.StopAsync(timeout.Token);
            await _kubelet.DisposeAsync();
            MountCleanup.UnmountUnder(_directory);
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Something still mounted; a leftover temp directory is better than a failed run.
            }
        }
    }
}
