using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Navarch.Bench;

/// <summary>
/// A single-member etcd from Debian's etcd-server (/usr/bin/etcd) on loopback with free ports, its data in a
/// directory the caller chooses; killed on dispose. Only flags common to etcd 3.4 and later are used.
/// </summary>
internal sealed class EtcdProcess : IAsyncDisposable
{
    public const string BinaryPath = "/usr/bin/etcd";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly ChildProcess _process;

    private EtcdProcess(ChildProcess process, string endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>The client URL, e.g. http://127.0.0.1:41234.</summary>
    public string Endpoint { get; }

    public static async Task<EtcdProcess> StartAsync(string dataDir, CancellationToken ct)
    {
        if (!File.Exists(BinaryPath))
        {
            throw new InvalidOperationException($"etcd is not installed at {BinaryPath}; run `apt-get install -y etcd-server`.");
        }

        var (clientPort, peerPort) = FreePorts();
        var endpoint = $"http://127.0.0.1:{clientPort}";
        var peer = $"http://127.0.0.1:{peerPort}";
        var process = ChildProcess.Start(BinaryPath, [
            "--name", "navarch-bench",
            "--data-dir", dataDir,
            "--listen-client-urls", endpoint,
            "--advertise-client-urls", endpoint,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"navarch-bench={peer}",
            // A lone member waits one election timeout before it leads; keep start-up short.
            "--heartbeat-interval", "10",
            "--election-timeout", "100",
            "--logger", "zap",
            "--log-level", "warn",
        ]);
        var etcd = new EtcdProcess(process, endpoint);
        try
        {
            await etcd.WaitHealthyAsync(ct).ConfigureAwait(false);
            return etcd;
        }
        catch
        {
            await etcd.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task WaitHealthyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with code {_process.ExitCode} while starting:\n{_process.Output()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"{Endpoint}/health"), ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"etcd at {Endpoint} was not healthy within {StartTimeout}:\n{_process.Output()}");
            }

            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    private static (int Client, int Peer) FreePorts()
    {
        using var client = new TcpListener(IPAddress.Loopback, 0);
        using var peer = new TcpListener(IPAddress.Loopback, 0);
        client.Start();
        peer.Start();
        return (((IPEndPoint)client.LocalEndpoint).Port, ((IPEndPoint)peer.LocalEndpoint).Port);
    }
}
