using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Navarch.E2E.ControllerManager;
using Navarch.E2E.Infrastructure;
using Navarch.Kubelet.Images;

namespace Navarch.E2E.Agent;

/// <summary>
/// A private <c>navarch server</c> WITH its node agent (real containerd, runc and CNI on this machine), and nodes joined
/// with <c>navarch agent</c>. Processes are stopped with SIGTERM so their containerd stops too. Every node imports a
/// busybox image (built from this machine's busybox-static) at start, so pods use <see cref="Image"/> with no registry.
/// </summary>
public sealed class AgentCluster : IAsyncLifetime
{
    /// <summary>The image the scenarios run; pods must say <c>imagePullPolicy: IfNotPresent</c>, since <c>:latest</c> would mean Always.</summary>
    public const string Image = "busybox";

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    private readonly string _root = Directory.CreateTempSubdirectory("navarch-e2e-agent-").FullName;
    private readonly List<NavarchProcess> _processes = [];
    private readonly Dictionary<string, NavarchProcess> _agents = [];
    private readonly SemaphoreSlim _agentsGate = new(1, 1);
    private string[] _serverArgs = [];
    private string _dll = "";
    private string _repo = "";
    private byte[] _busyboxLayer = [];

    public Infrastructure.Kubectl Kubectl { get; private set; } = null!;

    /// <summary>
    /// For requests from the host to pod IPs, with short timeouts since callers poll with their own deadline. The
    /// connect timeout matters most: a SYN sent before the pod's veth forwards is retransmitted by the kernel for
    /// minutes, and the handler would make every later request to that address wait for that one connect.
    /// </summary>
    public HttpClient Http { get; } = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) }) { Timeout = TimeSpan.FromSeconds(3) };

    public int Port { get; private set; }

    public string DataDir => Path.Combine(_root, "server");

    /// <summary>
    /// The server's own node (the host name). Pods on the pod network pin themselves to it with a nodeSelector: a joined
    /// node on this same machine can only run hostNetwork pods, since both nodes' CNI bridges would claim cni0.
    /// </summary>
    public string ServerNode { get; private set; } = "";

    /// <summary>The server process (its agent runs inside it).</summary>
    public NavarchProcess Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _repo = CliBuild.FindRepositoryRoot();
        _dll = await CliBuild.FindOrBuildAsync(_repo);
        _busyboxLayer = BusyboxImages.BuildLayer();
        Port = FreePort();
        Kubectl = new Infrastructure.Kubectl(Path.Combine(DataDir, "kubeconfig.yaml"), Path.Combine(_root, "kubectl-cache"), Directory.CreateDirectory(Path.Combine(_root, "home")).FullName);
        await WriteBusyboxImageAsync(DataDir);

        _serverArgs = [
            "server", "--data-dir", DataDir, "--https-port", Port.ToString(CultureInfo.InvariantCulture), "--bind-address", "127.0.0.1",
            "--kube-scheduler-arg", "secure-port=0", "--kube-controller-manager-arg", "secure-port=0",
            // Several nodes share this host: each kubelet API takes a free port and its Node reports it.
            "--kubelet-port", "0",
        ];
        Server = Start("server", _serverArgs);
        await UntilAsync(async () => File.Exists(Path.Combine(DataDir, "kubeconfig.yaml"))
            && (await Kubectl.RunAsync("get", "nodes", "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}")).Stdout.Contains("True"),
            "the server's own node to be Ready", Server);
        ServerNode = (await Kubectl.RunAsync("get", "nodes", "-o", "jsonpath={.items[0].metadata.name}")).Stdout.Trim();

        // The node reports Ready before its pod CIDR arrives and the CNI config is written; a pod created in between
        // waits for the kubelet's retry, which would count against the first test's deadline.
        var netConf = Path.Combine(AgentDir(), "containerd", "cni", "net.d");
        await UntilAsync(() => Task.FromResult(Directory.Exists(netConf) && Directory.EnumerateFiles(netConf, "*.conflist").Any()),
            "the server's node to write its CNI config", Server);
    }

    /// <summary>The agent data dir (<c>&lt;data-dir&gt;/agent</c>) of a node: the server's own, or a joined one.</summary>
    public string AgentDir(string? joinedNode = null) =>
        Path.Combine(joinedNode is null ? DataDir : Path.Combine(_root, joinedNode), "agent");

    /// <summary>The socket of the containerd the node's agent supervises, for <c>ctr -a</c>.</summary>
    public string ContainerdSocket(string? joinedNode = null) => Path.Combine(AgentDir(joinedNode), "containerd", "containerd.sock");

    /// <summary>Joins a node with <c>navarch agent</c> using the server's node token.</summary>
    public NavarchProcess StartAgent(string nodeName)
    {
        var token = File.ReadAllText(Path.Combine(DataDir, "server", "token")).Trim();
        var process = Start($"agent-{nodeName}", [
            "agent", "--server", $"https://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}", "--token", token,
            "--node-name", nodeName, "--data-dir", Path.Combine(_root, nodeName), "--kubelet-port", "0",
        ]);
        _agents[nodeName] = process;
        return process;
    }

    /// <summary>
    /// The joined node <paramref name="nodeName"/>, started (with the busybox image) and Ready; started once per cluster
    /// so the test classes of the collection share it.
    /// </summary>
    public async Task<NavarchProcess> EnsureAgentAsync(string nodeName)
    {
        await _agentsGate.WaitAsync();
        try
        {
            if (_agents.TryGetValue(nodeName, out var running) && !running.HasExited)
            {
                return running;
            }

            await WriteBusyboxImageAsync(Path.Combine(_root, nodeName));
            var agent = StartAgent(nodeName);
            await UntilAsync(
                async () => (await Kubectl.RunAsync("get", "node", nodeName, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Stdout == "True",
                $"node {nodeName} to be Ready", agent);
            return agent;
        }
        finally
        {
            _agentsGate.Release();
        }
    }

    /// <summary>
    /// Stops the joined node's agent with SIGTERM (its containerd stops, the containers' shims keep running) and starts
    /// it again on the same data dir; returns once the new kubelet says it started.
    /// </summary>
    public async Task<NavarchProcess> RestartAgentAsync(string nodeName)
    {
        await _agentsGate.WaitAsync();
        try
        {
            var old = _agents[nodeName];
            await old.TerminateAsync();
            if (!old.HasExited)
            {
                throw new InvalidOperationException($"agent {nodeName} did not stop on SIGTERM\n{old.LogTail()}");
            }

            // Keep the first run's log beside the new one (a restarted process would overwrite it).
            File.Copy(old.LogPath, old.LogPath + ".1", overwrite: true);
            await old.DisposeAsync();
            _processes.Remove(old);
            var agent = StartAgent(nodeName);
            await UntilAsync(() => Task.FromResult(agent.LogContains($"Kubelet for node {nodeName} started")), $"the restarted agent {nodeName} to start", agent);
            return agent;
        }
        finally
        {
            _agentsGate.Release();
        }
    }

    /// <summary>
    /// Stops <c>navarch server</c> with SIGTERM (API server, controllers and its agent; the containers' shims keep
    /// running) and starts it again on the same data dir; returns once the API answers and its kubelet has started.
    /// </summary>
    public async Task RestartServerAsync()
    {
        await Server.TerminateAsync();
        if (!Server.HasExited)
        {
            throw new InvalidOperationException($"the server did not stop on SIGTERM\n{Server.LogTail()}");
        }

        File.Copy(Server.LogPath, Server.LogPath + ".1", overwrite: true);
        await Server.DisposeAsync();
        _processes.Remove(Server);
        Server = Start("server", _serverArgs);
        await UntilAsync(
            async () => Server.LogContains($"Kubelet for node {ServerNode} started") && (await Kubectl.RunAsync("get", "--raw", "/readyz")).Stdout.Trim() == "ok",
            "the restarted server and its kubelet to start", Server);
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

    /// <summary>
    /// Puts the busybox image where the agent of <paramref name="dataDir"/> imports tarballs at start (issue 5: every
    /// tarball in <c>&lt;data-dir&gt;/agent/images/</c>), as an air-gapped node would get it.
    /// </summary>
    private async Task WriteBusyboxImageAsync(string dataDir)
    {
        var images = Directory.CreateDirectory(Path.Combine(dataDir, "agent", "images")).FullName;
        await using var output = File.Create(Path.Combine(images, "busybox.tar"));
        await BusyboxImages.WriteBusyboxAsync(output, _busyboxLayer, CancellationToken.None);
    }

    private NavarchProcess Start(string name, string[] args)
    {
        var process = NavarchProcess.Start(_dll, _repo, name, Path.Combine(_root, name + ".log"), args);
        _processes.Add(process);
        return process;
    }

    public async Task DisposeAsync()
    {
        await DeleteAllPodsAsync();
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

        await UnmountLeftoversAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Files of exited containers may still be mounted or held briefly; the temp dir is the OS's to clean.
        }

        _agentsGate.Dispose();
        Http.Dispose();
    }

    /// <summary>
    /// Lets the kubelets stop every pod before the processes go: stopping a sandbox is what releases its network
    /// namespace, veth, pod IP and shm mount, which killing containerd and the shims would leave on the host.
    /// </summary>
    private async Task DeleteAllPodsAsync()
    {
        if (Server is null || Server.HasExited || Kubectl is null)
        {
            return;
        }

        await Kubectl.RunAsync(["delete", "pods", "--all", "--all-namespaces", "--grace-period=1", "--timeout=30s"], stdin: null, TimeSpan.FromSeconds(40), CancellationToken.None);
    }

    /// <summary>Lazily unmounts whatever is still mounted under the cluster's directory (deepest first), so it can be deleted.</summary>
    private async Task UnmountLeftoversAsync()
    {
        // /proc/self/mountinfo's fifth field is the mount point, with spaces and such escaped as octal (\040).
        var mountPoints = File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => System.Text.RegularExpressions.Regex.Unescape(fields[4]))
            .Where(path => path.StartsWith(_root + "/", StringComparison.Ordinal))
            .OrderByDescending(path => path.Length);
        foreach (var mountPoint in mountPoints)
        {
            using var umount = System.Diagnostics.Process.Start("umount", ["-l", mountPoint]);
            await umount.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
