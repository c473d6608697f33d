using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.ApiServer.Hosting;
using Navarch.Client;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Hosting;

namespace Navarch.Controllers.Tests.Support;

/// <summary>
/// A real API server on a free port (temporary data dir) with an admin client, and controller managers started
/// against it with the identity <c>system:kube-controller-manager</c>, as <c>navarch server</c> runs them. No
/// kubelet runs: <see cref="FakeKubelet"/> plays its part where a test needs pods to run.
/// </summary>
public sealed class ControllerFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "navarch-controllers-" + Guid.NewGuid().ToString("N"));
    private readonly List<ControllerManagerHost> _managers = [];
    private ApiServerHost? _apiServer;

    public IKubernetes Admin { get; private set; } = null!;

    public ApiServerHost ApiServer => _apiServer ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _apiServer = new ApiServerHost(
            new ApiServerOptions { DataDir = _dataDir, HttpsPort = 0, BindAddress = IPAddress.Loopback },
            NullLoggerFactory.Instance,
            TimeProvider.System);
        await _apiServer.StartAsync(CancellationToken.None);
        Admin = KubeClientFactory.FromKubeconfig(Path.Combine(_dataDir, "kubeconfig.yaml"), ClientRateLimit.Unlimited);
    }

    /// <summary>Starts a controller manager running <paramref name="controllers"/> (leader election off unless options say so).</summary>
    public async Task<ControllerManagerHost> StartAsync(IReadOnlyList<ControllerDescriptor> controllers, ControllerManagerHostOptions? options = null)
    {
        options ??= new ControllerManagerHostOptions { LeaderElect = false };
        options = options with { Serving = options.Serving with { SecurePort = options.Serving.SecurePort == ControllerManagerHostOptions.DefaultSecurePort ? 0 : options.Serving.SecurePort }, RateLimit = ClientRateLimit.Unlimited };
        var host = new ControllerManagerHost(options, controllers, ClientFor("system:kube-controller-manager"), NullLoggerFactory.Instance, TimeProvider.System);
        await host.StartAsync(CancellationToken.None);
        lock (_managers) _managers.Add(host);
        return host;
    }

    /// <summary>Stops one controller manager cleanly (releasing its lease).</summary>
    public async Task StopAsync(ControllerManagerHost host)
    {
        lock (_managers) _managers.Remove(host);
        await host.StopAsync(CancellationToken.None);
        await host.DisposeAsync();
    }

    /// <summary>A client factory that logs in as <paramref name="userName"/> with a freshly issued certificate.</summary>
    public Func<ClientRateLimit, IKubernetes> ClientFor(string userName) => limit =>
    {
        var certificate = ApiServer.Certificates.IssueClientCertificate(userName, [], TimeSpan.FromDays(1));
        return KubeClientFactory.FromCertificates(
            ApiServer.Url!, ApiServer.Certificates.CaCertificatePem, certificate.CertificatePem, certificate.PrivateKeyPem, limit);
    };

    /// <summary>A fresh namespace per test, so tests sharing the server do not see each other's objects.</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)];
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    public async Task DisposeAsync()
    {
        List<ControllerManagerHost> managers;
        lock (_managers) managers = [.. _managers];
        foreach (var host in managers)
        {
            await host.StopAsync(CancellationToken.None);
            await host.DisposeAsync();
        }

        Admin?.Dispose();
        if (_apiServer is not null)
        {
            await _apiServer.StopAsync(CancellationToken.None);
            await _apiServer.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
