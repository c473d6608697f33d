using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Navarch.Storage.Tests.Etcd;

/// <summary>
/// A single-member etcd (Debian's etcd-server, /usr/bin/etcd) on loopback with free ports and a temporary data dir,
/// killed and removed on dispose. It can be killed and started again on the same ports and data dir. Usable as an
/// xunit class fixture (one etcd shared by a test class) or started by a test itself.
/// </summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public const string BinaryPath = "/usr/bin/etcd";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly ConcurrentQueue<string> _output = new();
    private string? _dataDir;
    private int _clientPort;
    private int _peerPort;
    private Process? _process;

    /// <summary>The client URL, e.g. http://127.0.0.1:41234.</summary>
    public string Endpoint => $"http://127.0.0.1:{_clientPort}";

    /// <summary>Starts a fresh etcd and waits until it reports healthy.</summary>
    /// <exception cref="InvalidOperationException">etcd is not installed or did not become healthy.</exception>
    public async Task InitializeAsync()
    {
        if (!File.Exists(BinaryPath))
        {
            throw new InvalidOperationException(
                $"etcd is not installed at {BinaryPath}; the etcd conformance tests need Debian's etcd-server " +
                "(run `apt-get install -y etcd-server`, as the README's test command does).");
        }

        // A port picked here can be taken by someone else before etcd binds it; try again with new ones.
        for (var attempt = 1; ; attempt++)
        {
            (_clientPort, _peerPort) = FreePorts();
            _dataDir = Directory.CreateTempSubdirectory("navarch-etcd-").FullName;
            try
            {
                await StartProcessAsync(CancellationToken.None);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && Output.Contains("address already in use", StringComparison.Ordinal))
            {
                await DisposeAsync();
            }
            catch
            {
                // Leave no etcd or data dir behind when the start fails for good.
                await DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Kills etcd (SIGKILL, no graceful shutdown) and starts it again on the same ports and data dir.</summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        await KillAsync();
        await StartProcessAsync(ct);
    }

    /// <summary>Kills etcd without a graceful shutdown.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(deadline.Token);
            process.Dispose();
        }
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        if (_dataDir is not null && Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private string Output => string.Join('\n', _output);

    private async Task StartProcessAsync(CancellationToken ct)
    {
        var peer = $"http://127.0.0.1:{_peerPort}";
        var info = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "--name", "navarch-test",
            "--data-dir", _dataDir ?? throw new InvalidOperationException("No data dir yet."),
            "--listen-client-urls", Endpoint,
            "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"navarch-test={peer}",
            // A lone member still waits one election timeout before it leads; keep that short so tests start fast.
            "--heartbeat-interval", "10",
            "--election-timeout", "100",
            "--logger", "zap",
            "--log-level", "warn",
        ])
        {
            info.ArgumentList.Add(argument);
        }

        _output.Clear();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with code {process.ExitCode} while starting:\n{Output}");
            }

            if (await IsHealthyAsync(ct))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"etcd at {Endpoint} was not healthy within {StartTimeout}:\n{Output}");
            }

            await Task.Delay(10, ct);
        }
    }

    private async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        try
        {
            using var response = await Http.GetAsync($"{Endpoint}/health", ct);
            return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync(ct)).Contains("\"true\"", StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
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
