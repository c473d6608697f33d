using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Navarch.E2E.ControllerManager;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Agent;

/// <summary>
/// A private <c>navarch server</c> WITH its node agent (real containerd, runc and CNI on this machine), and a way to
/// join a second node with <c>navarch agent</c>. Processes are stopped with SIGTERM so their containerd stops too.
/// </summary>
public sealed class AgentCluster : IAsyncLifetime
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    private readonly string _root = Directory.CreateTempSubdirectory("navarch-e2e-agent-").FullName;
    private readonly List<NavarchProcess> _processes = [];
    private string _dll = "";
    private string _repo = "";

    public Infrastructure.Kubectl Kubectl { get; private set; } = null!;

    public int Port { get; private set; }

    public string DataDir => Path.Combine(_root, "server");

    public async Task InitializeAsync()
    {
        _repo = CliBuild.FindRepositoryRoot();
        _dll = await CliBuild.FindOrBuildAsync(_repo);
        Port = FreePort();
        Kubectl = new Infrastructure.Kubectl(Path.Combine(DataDir, "kubeconfig.yaml"), Path.Combine(_root, "kubectl-cache"), Directory.CreateDirectory(Path.Combine(_root, "home")).FullName);
        var server = Start("server", [
            "server", "--data-dir", DataDir, "--https-port", Port.ToString(CultureInfo.InvariantCulture), "--bind-address", "127.0.0.1",
            "--kube-scheduler-arg", "secure-port=0", "--kube-controller-manager-arg", "secure-port=0",
        ]);
        await UntilAsync(async () => File.Exists(Path.Combine(DataDir, "kubeconfig.yaml"))
            && (await Kubectl.RunAsync("get", "nodes", "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}")).Stdout.Contains("True"),
            "the server's own node to be Ready", server);
    }

    /// <summary>Joins a node with <c>navarch agent</c> using the server's node token.</summary>
    public NavarchProcess StartAgent(string nodeName)
    {
        var token = File.ReadAllText(Path.Combine(DataDir, "server", "token")).Trim();
        return Start($"agent-{nodeName}", [
            "agent", "--server", $"https://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}", "--token", token,
            "--node-name", nodeName, "--data-dir", Path.Combine(_root, nodeName),
        ]);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing with the process log when it never does.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, NavarchProcess process)
    {
        var deadline = DateTime.UtcNow + StartDeadline;
        while (!await condition())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waiting for {what} ({(process.HasExited ? "process exited" : "deadline")}):\n{process.LogTail()}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The end of every process's log, for failure messages.</summary>
    public string LogTails() => string.Join("\n", _processes.Select(p => $"--- {p.Name} ---\n{p.LogTail(40)}"));

    private NavarchProcess Start(string name, string[] args)
    {
        var process = NavarchProcess.Start(_dll, _repo, name, Path.Combine(_root, name + ".log"), args);
        _processes.Add(process);
        return process;
    }

    public async Task DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.TerminateAsync();
            await process.DisposeAsync();
        }

        // Container shims outlive containerd by design; end the ones that belong to this cluster.
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(dir), out var pid) && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(_root, StringComparison.Ordinal))
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile.
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Files of exited containers may still be mounted or held briefly; the temp dir is the OS's to clean.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
