using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Kubelet.Hosting;
using Navarch.Kubelet.Images;
using Navarch.Testing;

namespace Navarch.Kubelet.Tests.Hosting;

/// <summary>
/// An in-process API server and a <see cref="KubeletHost"/> for node <see cref="NodeName"/> running its own containerd
/// in a temporary agent directory, with busybox placed in <c>agent/images/</c> so the kubelet imports it at start.
/// The kubelet serves its API on a free loopback port, trusting the API server's cluster CA, as <c>navarch server</c>
/// wires them.
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
            KubeletPort = 0,
            KubeletBindAddress = IPAddress.Loopback,
            ClientCaPem = ApiServer.Certificates.CaCertificatePem,
        };
        Directory.CreateDirectory(options.ImagesDirectory);
        await using (var output = File.Create(Path.Combine(options.ImagesDirectory, "busybox.tar")))
        {
            await BusyboxImages.WriteBusyboxAsync(output, BusyboxImages.BuildLayer(), timeout.Token);
        }

        _kubelet = new KubeletHost(options, ClientFor("system:node:" + NodeName), NullLoggerFactory.Instance, TimeProvider.System);
        await _kubelet.StartAsync(timeout.Token);
    }

    /// <summary>An HTTPS client for the kubelet API with a certificate the cluster CA issued to <paramref name="commonName"/>.</summary>
    public HttpClient KubeletClient(string commonName)
    {
        var issued = ApiServer.Certificates.IssueClientCertificate(commonName, ["system:masters"], TimeSpan.FromDays(1));
        using var pem = X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem);
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = [certificate];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{Kubelet.KubeletPort}"), Timeout = TimeSpan.FromSeconds(20) };
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
