using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.ApiServer.Hosting;
using Navarch.Client;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Hosting;

namespace Navarch.Scheduler.Tests.Integration;

/// <summary>
/// A real API server on a free port (temporary data dir) with an admin client, and a way to start schedulers
/// against it that log in as <c>system:kube-scheduler</c> with a certificate of their own, as in <c>navarch server</c>.
/// Nodes are plain objects created by the tests: no kubelet is needed to schedule.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "navarch-scheduler-" + Guid.NewGuid().ToString("N"));
    private readonly List<SchedulerHost> _schedulers = [];
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

    /// <summary>Starts a scheduler with its own identity; it is stopped with the fixture unless the test stops it first.</summary>
    public async Task<SchedulerHost> StartSchedulerAsync(SchedulerConfiguration? configuration = null, string? identity = null)
    {
        var options = new SchedulerHostOptions
        {
            Configuration = configuration ?? SchedulerConfiguration.Default with
            {
                LeaderElection = new LeaderElectionConfiguration { LeaderElect = false },
            },
            Serving = new() { SecurePort = 0 },
            RateLimit = ClientRateLimit.Unlimited,
            Identity = identity ?? $"test_{Guid.NewGuid():N}",
        };
        var host = new SchedulerHost(options, ClientFor("system:kube-scheduler"), NullLoggerFactory.Instance, TimeProvider.System);
        await host.StartAsync(CancellationToken.None);
        lock (_schedulers) _schedulers.Add(host);
        return host;
    }

    /// <summary>A client factory that logs in as <paramref name="userName"/> with a freshly issued certificate.</summary>
    public Func<ClientRateLimit, IKubernetes> ClientFor(string userName) => limit =>
    {
        var certificate = ApiServer.Certificates.IssueClientCertificate(userName, [], TimeSpan.FromDays(1));
        return KubeClientFactory.FromCertificates(
            ApiServer.Url!, ApiServer.Certificates.CaCertificatePem, certificate.CertificatePem, certificate.PrivateKeyPem, limit);
    };

    /// <summary>Stops and disposes one scheduler (a clean shutdown that releases its lease).</summary>
    public async Task StopSchedulerAsync(SchedulerHost host)
    {
        lock (_schedulers) _schedulers.Remove(host);
        await host.StopAsync(CancellationToken.None);
        await host.DisposeAsync();
    }

    /// <summary>A fresh namespace per test, so tests sharing the server do not see each other's pods.</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)];
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    public async Task DisposeAsync()
    {
        List<SchedulerHost> schedulers;
        lock (_schedulers) schedulers = [.. _schedulers];
        foreach (var host in schedulers)
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
