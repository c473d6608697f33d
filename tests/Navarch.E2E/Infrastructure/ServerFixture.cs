using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using k8s;

namespace Navarch.E2E.Infrastructure;

/// <summary>
/// One <c>navarch server</c> for the whole E2E run: started from the CLI the test command already built, on a free
/// loopback port and a temporary data dir, and killed (its data dir deleted) when the run ends.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private readonly string _root = Directory.CreateTempSubdirectory("navarch-e2e-").FullName;
    private readonly ConcurrentDictionary<string, Lazy<Task>> _namespaces = new();
    private readonly Lock _logGate = new();
    private StreamWriter? _log;
    private Process? _server;
    private Kubectl? _kubectl;

    public string DataDir => Path.Combine(_root, "data");

    public string KubeconfigPath => Path.Combine(DataDir, "kubeconfig.yaml");

    public string LogPath => Path.Combine(_root, "server.log");

    /// <summary>The CLI assembly that was started, for messages.</summary>
    public string ServerDll { get; private set; } = "";

    public int Port { get; private set; }

    /// <summary>The embedded scheduler's HTTPS port for /healthz and /metrics (kube-scheduler's :10259, here a free port).</summary>
    public int SchedulerPort { get; private set; }

    /// <summary>
    /// The embedded controller manager's HTTPS port (kube-controller-manager's :10257, here a free port, so that
    /// two runs on one machine do not collide on it).
    /// </summary>
    public int ControllerManagerPort { get; private set; }

    public Kubectl Kubectl => _kubectl ?? throw new InvalidOperationException("the server fixture has not started");

    /// <summary>Assertions on kubectl output that attach the server log's tail when they fail.</summary>
    public KubectlExpect Expect => new(this);

    public async Task InitializeAsync()
    {
        var repo = CliBuild.FindRepositoryRoot();
        ServerDll = await CliBuild.FindOrBuildAsync(repo);
        _log = new StreamWriter(LogPath) { AutoFlush = true };
        _kubectl = new Kubectl(KubeconfigPath, Path.Combine(_root, "kubectl-cache"), Directory.CreateDirectory(Path.Combine(_root, "home")).FullName);

        // A port picked as free can be taken by someone else before the server binds it; try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            SchedulerPort = FreePort();
            ControllerManagerPort = FreePort();
            StartServer(repo);
            var failure = await WaitUntilReadyAsync();
            if (failure is null)
            {
                return;
            }

            await KillServerAsync();
            if (attempt == 3 || !LogTail().Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"navarch server ({ServerDll}) did not become ready: {failure}\n{LogTailForMessage()}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        await KillServerAsync();
        lock (_logGate)
        {
            _log?.Dispose();
            _log = null;
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still held open by a dying child must not fail the run.
        }
    }

    /// <summary>Creates the namespace once per run (idempotent for all tests of a class); never deleted, since no namespace controller would finish it.</summary>
    public Task EnsureNamespaceAsync(string name) =>
        _namespaces.GetOrAdd(name, n => new Lazy<Task>(() => CreateNamespaceAsync(n))).Value;

    /// <summary>Writes a manifest file (for <c>-f FILE</c>) under the run's temp dir and returns its path.</summary>
    public string WriteManifest(string fileName, string yaml)
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(_root, "manifests")).FullName, fileName);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>A KubernetesClient built from the server's kubeconfig, as a user would.</summary>
    public Kubernetes CreateClient() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    /// <summary>Runs a test body; if it fails, rethrows with the server log's tail appended (for tests not asserting through <see cref="Expect"/>).</summary>
    public async Task WithServerLogOnFailureAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n{LogTailForMessage()}\n{e.StackTrace}");
        }
    }

    /// <summary>The last lines the server printed.</summary>
    public string LogTail(int lines = 40)
    {
        lock (_logGate)
        {
            _log?.Flush();
        }

        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(server log unreadable: {e.Message})";
        }
    }

    public string LogTailForMessage() =>
        $"--- navarch server log tail ({LogPath}; exited: {_server?.HasExited.ToString() ?? "not started"}) ---\n{LogTail()}";

    private async Task CreateNamespaceAsync(string name)
    {
        var result = await Kubectl.RunWithInputAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n", "create", "-f", "-");
        Expect.Success(result);
    }

    private void StartServer(string repo)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     ServerDll, "server", "--data-dir", DataDir, "--https-port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--bind-address", "127.0.0.1",
                     // The shared server's nodes are simulated by the tests; real containers run in Navarch.Kubelet.Tests and AgentTests.
                     "--disable-agent",
                     "--kube-scheduler-arg", $"secure-port={SchedulerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
                     "--kube-controller-manager-arg", $"secure-port={ControllerManagerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        WriteLog($"[e2e] starting dotnet {string.Join(' ', start.ArgumentList)}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };

        // Logged so that a server that dies mid-run (crash or an outside signal) says so, with when and how.
        process.Exited += (_, _) => WriteLog($"[e2e] {DateTime.Now:HH:mm:ss.fff} the server process exited with code {ExitCodeOf(process)}");
        process.Start();
        process.OutputDataReceived += (_, e) => WriteLog(e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _server = process;
    }

    /// <summary>Polls for the kubeconfig and then <c>/readyz</c>; returns null when ready, else why not.</summary>
    private async Task<string?> WaitUntilReadyAsync()
    {
        var stop = DateTime.UtcNow + StartDeadline;
        KubectlResult? last = null;
        while (DateTime.UtcNow < stop)
        {
            if (_server is { HasExited: true })
            {
                return $"the server exited with code {_server.ExitCode}";
            }

            if (File.Exists(KubeconfigPath))
            {
                last = await Kubectl.RunAsync(["get", "--raw", "/readyz"], stdin: null, TimeSpan.FromSeconds(5), CancellationToken.None);
                if (last.ExitCode == 0 && last.Stdout.Trim() == "ok")
                {
                    return null;
                }
            }

            await Task.Delay(200);
        }

        return $"not ready within {StartDeadline}; last probe:\n{last?.ToString() ?? "(no kubeconfig yet)"}";
    }

    private async Task KillServerAsync()
    {
        if (_server is null)
        {
            return;
        }

        if (!_server.HasExited)
        {
            WriteLog("[e2e] killing the server (end of run)");
            _server.Kill(entireProcessTree: true);
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _server.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            WriteLog("[e2e] the server did not exit within 15 s of SIGKILL");
        }

        _server.Dispose();
        _server = null;
    }

    private void WriteLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            _log?.WriteLine(line);
        }
    }

    private static string ExitCodeOf(Process process)
    {
        try
        {
            return process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            // Raced with Dispose at the end of the run; the code no longer matters then.
            return "(unknown)";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
