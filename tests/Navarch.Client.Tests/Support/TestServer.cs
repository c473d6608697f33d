using System.Net;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.ApiServer.Hosting;

namespace Navarch.Client.Tests.Support;

/// <summary>
/// A real API server on a free port with a temporary data dir. It can be stopped and started again on the same port
/// and data, which is how tests drop every watch and make old resourceVersions expire (a restarted watch cache
/// keeps no history before its start).
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "navarch-client-" + Guid.NewGuid().ToString("N"));
    private ApiServerHost? _host;
    private int _port;

    public ApiServerHost Host => _host ?? throw new InvalidOperationException("not started");

    public string KubeconfigPath => Path.Combine(_dataDir, "kubeconfig.yaml");

    public static async Task<TestServer> StartAsync()
    {
        var server = new TestServer();
        await server.StartHostAsync();
        return server;
    }

    /// <summary>Stops the server (dropping every connection) and starts it again on the same port and data.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartHostAsync();
    }

    public async Task StopAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.StopAsync(CancellationToken.None);
            await host.DisposeAsync();
        }
    }

    /// <summary>An unthrottled admin client with extra handlers in its pipeline.</summary>
    public Kubernetes AdminClient(params DelegatingHandler[] handlers)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath);
        return new Kubernetes(config, handlers);
    }

    private async Task StartHostAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var host = new ApiServerHost(
                new ApiServerOptions { DataDir = _dataDir, HttpsPort = _port, BindAddress = IPAddress.Loopback },
                NullLoggerFactory.Instance,
                TimeProvider.System);
            try
            {
                await host.StartAsync(CancellationToken.None);
                _host = host;
                _port = host.Url!.Port;
                return;
            }
            catch (IOException) when (_port != 0 && DateTime.UtcNow < deadline)
            {
                // The port of the stopped server may linger for a moment.
                await host.DisposeAsync();
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
