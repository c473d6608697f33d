using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.ApiServer.Hosting;

namespace Navarch.Client.Tests.LeaderElection;

/// <summary>
/// A real API server on a free port with a temporary data dir, shared by the leader-election and event-recorder tests;
/// each <see cref="CreateClient"/> is a separate connection, as separate processes would have.
/// </summary>
public sealed class ElectionServerFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "navarch-client-election-" + Guid.NewGuid().ToString("N"));
    private readonly List<Kubernetes> _clients = [];
    private ApiServerHost? _host;

    public async Task InitializeAsync()
    {
        _host = new ApiServerHost(
            new ApiServerOptions { DataDir = _dataDir, HttpsPort = 0, BindAddress = System.Net.IPAddress.Loopback },
            NullLoggerFactory.Instance,
            TimeProvider.System);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StartAsync(cts.Token);
    }

    public IKubernetes CreateClient()
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(Path.Combine(_dataDir, "kubeconfig.yaml"));
        var client = new Kubernetes(config);
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        if (_host is not null)
        {
            await _host.StopAsync(CancellationToken.None);
            await _host.DisposeAsync();
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
