using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Navarch.Bench;

/// <summary>
/// <c>navarch scheduler</c> as its own child process (so its memory and CPU are its own), from the same copy of the
/// build as the server, with its health server on a loopback port; killed (with any children) on dispose.
/// </summary>
internal sealed class SchedulerProcess : IAsyncDisposable
{
    private const string ApiQps = "5000";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;

    private SchedulerProcess(ChildProcess process, int securePort)
    {
        _process = process;
        HealthUrl = new Uri($"https://127.0.0.1:{securePort.ToString(CultureInfo.InvariantCulture)}/healthz");
    }

    public int ProcessId => _process.Id;

    public Uri HealthUrl { get; }

    /// <summary>
    /// Starts <c>navarch scheduler</c> from <paramref name="assembly"/> with the given kubeconfig, no leader election, and
    /// scheduler_perf's client limits (5000 QPS and burst).
    /// </summary>
    public static SchedulerProcess Start(string assembly, string kubeconfig)
    {
        var port = FreeLoopbackPort();
        var process = ChildProcess.Start("dotnet", [
            assembly, "scheduler",
            "--kubeconfig", kubeconfig,
            "--secure-port", port.ToString(CultureInfo.InvariantCulture),
            "--bind-address", "127.0.0.1",
            "--leader-elect=false",
            // As scheduler_perf configures its scheduler's client: kube-scheduler's default 50 QPS would cap the
            // benchmark at about 50 binds a second, measuring the limiter rather than the scheduler.
            "--kube-api-qps", ApiQps,
            "--kube-api-burst", ApiQps,
        ]);
        return new SchedulerProcess(process, port);
    }

    /// <summary>Waits until <c>/healthz</c> answers 200.</summary>
    public async Task WaitHealthyAsync(CancellationToken ct)
    {
        // The health server's certificate is self-signed by the child we just started on loopback; nothing to verify.
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"navarch scheduler exited with code {_process.ExitCode} while starting:\n{_process.Output()}");
            }

            try
            {
                using var response = await http.GetAsync(HealthUrl, ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // Not serving yet.
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"navarch scheduler was not healthy within {StartTimeout}:\n{_process.Output()}");
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The scheduler's resident set (VmRSS of /proc/&lt;pid&gt;/status) in bytes.</summary>
    public long ResidentBytes() => StatusKilobytes("VmRSS:") * 1024;

    /// <summary>The scheduler's peak resident set (VmHWM) in bytes.</summary>
    public long PeakResidentBytes() => StatusKilobytes("VmHWM:") * 1024;

    public TimeSpan CpuTime() => _process.TotalProcessorTime();

    /// <summary>Whether the scheduler is still running, and its last lines of output (for a failure's message).</summary>
    public string Describe() =>
        $"navarch scheduler {(_process.HasExited ? $"exited with code {_process.ExitCode}" : "is running")}; its last output:\n{_process.Output()}";

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private long StatusKilobytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmHWM:	  123456 kB"
                var digits = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{_process.Id}/status has no {field} line");
    }

    /// <summary>
    /// A port nobody listens on right now. The scheduler takes its port from a flag, so unlike the server's port 0
    /// there is a short race with other processes; on loopback in a benchmark that is acceptable.
    /// </summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
