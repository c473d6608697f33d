using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Controllers;

/// <summary>
/// One controller test's world on the shared server: its own namespace, its own node (labelled with a per-test pool
/// and tainted so that only this test's pods, which select the pool and tolerate the taint, land there) and a
/// <see cref="FakeKubelet"/> that runs those pods. Disposing deletes the namespace (the namespace controller
/// finishes it while the kubelet still removes Terminating pods) and then the node.
/// </summary>
internal sealed class ControllerScenario : IAsyncDisposable
{
    public const string PoolLabel = "e2e.navarch.io/controllers-pool";
    public const string TaintKey = "e2e.navarch.io/controllers-tests";
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    private readonly ServerFixture _server;
    private readonly Kubernetes _client;

    private ControllerScenario(ServerFixture server, Kubernetes client, string ns, string pool, FakeKubelet kubelet)
    {
        _server = server;
        _client = client;
        Namespace = ns;
        Pool = pool;
        Kubelet = kubelet;
    }

    public string Namespace { get; }

    /// <summary>The value of <see cref="PoolLabel"/> on this test's node.</summary>
    public string Pool { get; }

    public FakeKubelet Kubelet { get; }

    public KubectlExpect Expect => _server.Expect;

    /// <summary>Creates the namespace and a node, and starts the kubelet; <paramref name="completeJobPods"/> makes Job pods succeed.</summary>
    public static async Task<ControllerScenario> StartAsync(ServerFixture server, string prefix, bool completeJobPods = false)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var ns = $"e2e-ctl-{prefix}-{id}";
        var pool = $"ctl-{prefix}-{id}";
        server.Expect.Success(await server.Kubectl.RunAsync("create", "namespace", ns));
        var client = server.CreateClient();
        var kubelet = new FakeKubelet(client, ns, completeJobPods);
        await kubelet.RegisterNodeAsync(
            $"e2e-ctl-{prefix}-{id}",
            new Dictionary<string, string> { [PoolLabel] = pool },
            new V1Taint { Key = TaintKey, Value = pool, Effect = "NoSchedule" },
            CancellationToken.None);
        kubelet.Start();
        return new ControllerScenario(server, client, ns, pool, kubelet);
    }

    /// <summary>Runs kubectl in this test's namespace.</summary>
    public Task<KubectlResult> RunAsync(params string[] args) => _server.Kubectl.RunAsync([.. args, "-n", Namespace], stdin: null, timeout: null, CancellationToken.None);

    /// <summary>Runs kubectl in this test's namespace with a longer timeout (rollout status, wait).</summary>
    public Task<KubectlResult> RunLongAsync(params string[] args) =>
        _server.Kubectl.RunAsync([.. args, "-n", Namespace], stdin: null, Deadline + TimeSpan.FromSeconds(15), CancellationToken.None);

    /// <summary>Creates an object from JSON in this test's namespace (<c>kubectl create -f -</c>).</summary>
    public async Task<KubectlResult> CreateAsync(JsonNode manifest) =>
        Expect.Success(await _server.Kubectl.RunWithInputAsync(manifest.ToJsonString(), "create", "-f", "-", "-n", Namespace));

    /// <summary>
    /// What <c>kubectl create deployment NAME --image=IMAGE --replicas=N</c> builds, with this test's nodeSelector and
    /// toleration added to the pod template before it is sent, so the first revision already places on the test's node.
    /// </summary>
    public async Task CreateDeploymentAsync(string name, int replicas, string image = "busybox")
    {
        var generated = Expect.Success(await RunAsync(
            "create", "deployment", name, $"--image={image}", $"--replicas={replicas}", "--dry-run=client", "-o", "json"));
        var manifest = JsonNode.Parse(generated.Stdout) ?? throw new InvalidOperationException("kubectl printed no object");
        Place(manifest["spec"]!["template"]!["spec"]!);
        var created = await CreateAsync(manifest);
        Expect.StdoutLines(created, $"deployment.apps/{name} created");
    }

    /// <summary>Adds this test's nodeSelector and toleration to a pod spec.</summary>
    public void Place(JsonNode podSpec)
    {
        podSpec["nodeSelector"] = new JsonObject { [PoolLabel] = Pool };
        podSpec["tolerations"] = new JsonArray(new JsonObject { ["key"] = TaintKey, ["operator"] = "Exists", ["effect"] = "NoSchedule" });
    }

    /// <summary>
    /// Runs kubectl (in the namespace) until <paramref name="done"/> holds; at the deadline fails with the last run,
    /// the kubelet's errors and the server log.
    /// </summary>
    public async Task<KubectlResult> UntilAsync(string[] args, Func<KubectlResult, bool> done, string waitingFor, TimeSpan? deadline = null)
    {
        var limit = deadline ?? Deadline;
        var stop = DateTime.UtcNow + limit;
        while (true)
        {
            var result = await RunAsync(args);
            if (done(result))
            {
                return result;
            }

            if (DateTime.UtcNow >= stop)
            {
                Expect.Fail($"timed out after {limit} waiting for {waitingFor}\n--- fake kubelet errors ---\n{Kubelet.Errors}", result);
            }

            await Task.Delay(250);
        }
    }

    /// <summary><c>kubectl rollout status</c> to success; returns its output.</summary>
    public async Task<KubectlResult> RolloutStatusAsync(string deployment)
    {
        var result = await RunLongAsync("rollout", "status", $"deployment/{deployment}", $"--timeout={(int)Deadline.TotalSeconds}s");
        if (result.ExitCode != 0)
        {
            Expect.Fail($"rollout of {deployment} did not finish\n--- fake kubelet errors ---\n{Kubelet.Errors}\n{await DescribeAsync(deployment)}", result);
        }

        Expect.StdoutMatches(result, $"^deployment \"{deployment}\" successfully rolled out$");
        return result;
    }

    /// <summary>The rows of <c>kubectl get rs</c> (header dropped), whitespace collapsed.</summary>
    public async Task<string[]> ReplicaSetRowsAsync(string? selector = null)
    {
        var result = Expect.Success(await RunAsync(selector is null ? ["get", "rs"] : ["get", "rs", "-l", selector]));
        return result.StdoutLines.Skip(1).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        // Best effort, since a failed test must report its own failure, not the cleanup's. The workloads go, and their
        // pods at once (as `--force` does), before the namespace: then nothing is left for the kubelet, which can stop
        // now, and the namespace controller finishes the namespace on its own (after its 5 s deletion delay, as
        // kube-controller-manager's) while the next test runs. A pod a racing controller still creates is bound to
        // a node that is gone next, which pod GC collects.
        await _server.Kubectl.RunAsync("delete", "all", "--all", "--grace-period=0", "--force", "--wait=false", "-n", Namespace);
        await _server.Kubectl.RunAsync("delete", "namespace", Namespace, "--wait=false");
        await Kubelet.DisposeAsync();
        _client.Dispose();
    }

    private async Task<string> DescribeAsync(string deployment)
    {
        var describe = await RunAsync("describe", "deployment", deployment);
        var rs = await RunAsync("get", "rs,pods", "-o", "wide");
        return $"{describe}\n{rs}";
    }
}
