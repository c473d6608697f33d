using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.ControllerManager;

/// <summary>
/// A private <c>navarch server</c> with its embedded scheduler but without the controller manager or the agent, a few
/// Node objects kept alive by <see cref="FakeKubelet"/>, and <c>navarch controller-manager</c> processes started on
/// demand, so a test can crash and restart the controller manager without touching the shared E2E server.
/// </summary>
public sealed class StandaloneCluster : IAsyncLifetime
{
    public const int NodeCount = 3;

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private readonly string _root = Directory.CreateTempSubdirectory("navarch-e2e-cm-").FullName;
    private readonly List<NavarchProcess> _controllerManagers = [];
    private string _repo = "";
    private string _dll = "";
    private NavarchProcess? _server;
    private Kubernetes? _admin;
    private FakeKubelet? _kubelet;
    private int _started;

    public string DataDir => Path.Combine(_root, "data");

    public string KubeconfigPath => Path.Combine(DataDir, "kubeconfig.yaml");

    /// <summary>The admin client (the server's kubeconfig), for the test's own reads and writes.</summary>
    public Kubernetes Admin => _admin ?? throw new InvalidOperationException("the cluster has not started");

    public Infrastructure.Kubectl Kubectl { get; private set; } = null!;

    public FakeKubelet Kubelet => _kubelet ?? throw new InvalidOperationException("the cluster has not started");

    public async Task InitializeAsync()
    {
        _repo = CliBuild.FindRepositoryRoot();
        _dll = await CliBuild.FindOrBuildAsync(_repo);
        Kubectl = new Infrastructure.Kubectl(KubeconfigPath, Path.Combine(_root, "kubectl-cache"), Directory.CreateDirectory(Path.Combine(_root, "home")).FullName);

        // A port picked as free can be taken before the server binds it; try a few.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            _server = NavarchProcess.Start(_dll, _repo, "server", Path.Combine(_root, "server.log"),
            [
                "server", "--data-dir", DataDir, "--https-port", port.ToString(CultureInfo.InvariantCulture), "--bind-address", "127.0.0.1",
                "--disable-controller-manager", "--disable-agent",
                "--kube-scheduler-arg", $"secure-port={FreePort().ToString(CultureInfo.InvariantCulture)}",
            ]);
            var failure = await WaitUntilReadyAsync(_server);
            if (failure is null)
            {
                break;
            }

            var tail = _server.LogTail();
            await _server.DisposeAsync();
            _server = null;
            if (attempt == 3 || !tail.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"navarch server ({_dll}) did not become ready: {failure}\n{tail}");
            }
        }

        _admin = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));
        var nodes = Enumerable.Range(0, NodeCount).Select(i => $"cm-node-{i}").ToArray();
        foreach (var node in nodes)
        {
            await _admin.CoreV1.CreateNodeAsync(NewNode(node));
        }

        _kubelet = new FakeKubelet(_admin, nodes);
        _kubelet.Start();
    }

    public async Task DisposeAsync()
    {
        // Every child is stopped even if stopping another one failed; the first failure is reported after.
        var failures = new List<Exception>();
        foreach (var process in _controllerManagers)
        {
            await StopAsync(process.DisposeAsync, failures);
        }

        if (_kubelet is not null)
        {
            await StopAsync(_kubelet.DisposeAsync, failures);
        }

        _admin?.Dispose();
        if (_server is not null)
        {
            await StopAsync(_server.DisposeAsync, failures);
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still held open by a dying child must not fail the run.
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("stopping the controller-manager test cluster failed", failures);
        }
    }

    private static async Task StopAsync(Func<ValueTask> dispose, List<Exception> failures)
    {
        try
        {
            await dispose();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            failures.Add(e);
        }
    }

    /// <summary>
    /// Starts <c>navarch controller-manager</c> against this server with the admin kubeconfig and no serving port;
    /// the process is killed when the cluster is disposed if the test has not stopped it.
    /// </summary>
    public NavarchProcess StartControllerManager(bool leaderElect, params string[] extraArgs)
    {
        var n = Interlocked.Increment(ref _started);
        var process = NavarchProcess.Start(_dll, _repo, $"controller-manager-{n}", Path.Combine(_root, $"controller-manager-{n}.log"),
        [
            "controller-manager", "--kubeconfig", KubeconfigPath, "--secure-port", "0",
            "--leader-elect", leaderElect ? "true" : "false",
            .. extraArgs,
        ]);
        lock (_controllerManagers)
        {
            _controllerManagers.Add(process);
        }

        return process;
    }

    /// <summary>Creates a namespace for one test (never deleted: the cluster dies with the test class).</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>The server's and the kubelet's state for a failure message.</summary>
    public string Diagnostics() =>
        $"{_server?.LogTail() ?? "(no server)"}\nfake kubelet: last error {_kubelet?.LastError ?? "(none)"}";

    private async Task<string?> WaitUntilReadyAsync(NavarchProcess server)
    {
        var stop = DateTime.UtcNow + StartDeadline;
        KubectlResult? last = null;
        while (DateTime.UtcNow < stop)
        {
            if (server.HasExited)
            {
                return "the server exited";
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

    private static V1Node NewNode(string name)
    {
        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new("8"),
            ["memory"] = new("16Gi"),
            ["pods"] = new("110"),
        };
        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Status = new V1NodeStatus
            {
                Capacity = resources,
                Allocatable = resources,
                Conditions = [FakeKubelet.ReadyCondition(DateTime.UtcNow)],
            },
        };
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
