using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Navarch.Bench;

/// <summary>
/// A <c>navarch &lt;component&gt;</c> (scheduler, controller-manager) as its own child process, so its memory and CPU
/// are its own, from the same copy of the build as the server, with its health server on a loopback port; killed (with
/// any children) on dispose.
/// </summary>
internal sealed class ComponentProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;

    private ComponentProcess(ChildProcess process, string component, int securePort)
    {
        _process = process;
        Component = component;
        HealthUrl = new Uri($"https://127.0.0.1:{securePort.ToString(CultureInfo.InvariantCulture)}/healthz");
    }

    /// <summary>The CLI command that runs it, e.g. <c>controller-manager</c>.</summary>
    public string Component { get; }

    public int ProcessId => _process.Id;

    public Uri HealthUrl { get; }

    /// <summary>
    /// Starts <c>navarch &lt;component&gt;</c> from <paramref name="assembly"/> with the given kubeconfig, its health
    /// server on a free loopback port, and <paramref name="extraArguments"/> (leader election, client limits, ...).
    /// </summary>
    public static ComponentProcess Start(string assembly, string component, string kubeconfig, IEnumerable<string> extraArguments)
    {
        var port = FreeLoopbackPort();
        var process = ChildProcess.Start("dotnet", [
            assembly, component,
            "--kubeconfig", kubeconfig,
            "--secure-port", port.ToString(CultureInfo.InvariantCulture),
            "--bind-address", "127.0.0.1",
            .. extraArguments,
        ]);
        return new ComponentProcess(process, component, port);
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
                throw new InvalidOperationException($"navarch {Component} exited with code {_process.ExitCode} while starting:\n{_process.Output()}");
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
                throw new InvalidOperationException($"navarch {Component} was not healthy within {StartTimeout}:\n{_process.Output()}");
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The resident set (VmRSS of /proc/&lt;pid&gt;/status) in bytes.</summary>
    public long ResidentBytes() => StatusKilobytes("VmRSS:") * 1024;

    /// <summary>The peak resident set (VmHWM) in bytes.</summary>
    public long PeakResidentBytes() => StatusKilobytes("VmHWM:") * 1024;

    public TimeSpan CpuTime() => _process.TotalProcessorTime();

    public bool HasExited => _process.HasExited;

    /// <summary>Whether the component is still running, and its last lines of output (for a failure's message).</summary>
    public string Describe() =>
        $"navarch {Component} {(_process.HasExited ? $"exited with code {_process.ExitCode}" : "is running")}; its last output:\n{_process.Output()}";

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
    /// A port nobody listens on right now. The components take their port from a flag, so unlike the server's port 0
    /// there is a short race with other processes; on loopback in a benchmark that is acceptable.
    /// </summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
