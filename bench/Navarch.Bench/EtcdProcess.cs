using System.Collections.Concurrent;
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

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private EtcdProcess(Process process, ConcurrentQueue<string> output, string endpoint)
    {
        _process = process;
        _output = output;
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
        var info = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
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
        ])
        {
            info.ArgumentList.Add(argument);
        }

        var output = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Capture(output, e.Data);
        process.ErrorDataReceived += (_, e) => Capture(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var etcd = new EtcdProcess(process, output, endpoint);
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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        _process.Dispose();
    }

    private async Task WaitHealthyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with code {_process.ExitCode} while starting:\n{string.Join('\n', _output)}");
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
                throw new InvalidOperationException($"etcd at {Endpoint} was not healthy within {StartTimeout}:\n{string.Join('\n', _output)}");
            }

            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    private static void Capture(ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 200 && output.TryDequeue(out _))
        {
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
