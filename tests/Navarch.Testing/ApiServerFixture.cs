using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.ApiServer.Hosting;
using Microsoft.Extensions.Hosting;
using Navarch.Client;
using Xunit;

namespace Navarch.Testing;

/// <summary>
/// A real API server on a free loopback port with a temporary data dir, an admin client, and clients that log in
/// with a component's identity (a certificate issued by the cluster CA), as <c>navarch server</c> gives its
/// components. Components started through <see cref="StartComponentAsync{T}"/> are stopped before the API server goes.
/// </summary>
public abstract class ApiServerFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "navarch-test-" + Guid.NewGuid().ToString("N"));
    // Hosted components (scheduler, controller manager, kubelet): each is both an IHostedService and IAsyncDisposable.
    private readonly List<(IHostedService Host, IAsyncDisposable Disposable)> _components = [];
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

    /// <summary>Starts <paramref name="component"/>; it is stopped with the fixture unless a test stops it first.</summary>
    protected async Task<T> StartComponentAsync<T>(T component, CancellationToken cancellationToken = default)
        where T : class, IHostedService, IAsyncDisposable
    {
        await component.StartAsync(cancellationToken);
        lock (_components) _components.Add((component, component));
        return component;
    }

    /// <summary>Stops and disposes one component (a clean shutdown: leases are released).</summary>
    protected async Task StopComponentAsync<T>(T component)
        where T : class, IHostedService, IAsyncDisposable
    {
        lock (_components) _components.RemoveAll(c => ReferenceEquals(c.Host, component));
        await component.StopAsync(CancellationToken.None);
        await component.DisposeAsync();
    }

    /// <summary>Stops what is still running, before the API server goes; derived fixtures add their own clean-up.</summary>
    protected virtual async Task StopComponentsAsync()
    {
        List<(IHostedService Host, IAsyncDisposable Disposable)> components;
        lock (_components) components = [.. _components];
        foreach (var (host, disposable) in components)
        {
            await host.StopAsync(CancellationToken.None);
            await disposable.DisposeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await StopComponentsAsync();
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
