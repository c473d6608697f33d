using System.Diagnostics;
using System.Net;
using System.Text;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary>
/// The scheduler that <c>navarch server</c> runs, seen through stock kubectl: pods get a node, and describe shows the
/// scheduler's events. The nodes here are plain objects (no kubelet) with a taint only these tests' pods tolerate, so
/// the pods of other tests never land on them and keep reading as unscheduled.
/// </summary>
[Collection(NavarchCollection.Name)]
public sealed class SchedulerTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-scheduler";
    private const string TaintKey = "e2e.navarch.io/scheduler-tests";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _nodes = [];

    public Task InitializeAsync() => server.EnsureNamespaceAsync(Ns);

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            server.Expect.Success(await server.Kubectl.RunAsync("delete", "node", node, "--wait=false"));
        }
    }

    [Fact]
    public async Task CreatedPod_IsBoundToTheMatchingNode_AndDescribeShowsTheScheduledEvent()
    {
        var node = await ApplyNodeAsync("fit", pool: $"fit-{_id}");
        var pod = $"placed-{_id}";
        await ApplyPodAsync(pod, pool: $"fit-{_id}");

        await UntilAsync(["get", "pod", pod, "-n", Ns, "-o", "jsonpath={.spec.nodeName}"], r => r.Stdout.Trim() == node, $"pod {pod} to be bound to {node}");
        var wide = server.Expect.Success(await server.Kubectl.RunAsync("get", "pod", pod, "-n", Ns, "-o", "wide"));
        server.Expect.StdoutLine(wide, "NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES");
        server.Expect.StdoutMatches(wide, $@"^{pod}\s+0/1\s+Pending\s+0\s+\S+\s+<none>\s+{node}\s+<none>\s+<none>\s*$");

        var describe = await UntilAsync(
            ["describe", "pod", pod, "-n", Ns],
            r => r.Stdout.Contains("Successfully assigned", StringComparison.Ordinal) && r.Stdout.Contains("PodScheduled", StringComparison.Ordinal),
            "the Scheduled event and the PodScheduled condition");
        server.Expect.StdoutMatches(describe, $@"^Node:\s+{node}/\s*$");
        server.Expect.StdoutMatches(describe, $@"^\s+Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned {Ns}/{pod} to {node}\s*$");
        server.Expect.StdoutMatches(describe, @"^\s+PodScheduled\s+True\s*$");
    }

    [Fact]
    public async Task PodMatchingNoNode_StaysPending_AndDescribeShowsFailedScheduling()
    {
        // A node of these tests that the pod tolerates but whose label it does not select.
        await ApplyNodeAsync("other", pool: $"other-{_id}");
        var pod = $"stranded-{_id}";
        await ApplyPodAsync(pod, pool: $"nowhere-{_id}");

        // The event and the PodScheduled condition are written separately; wait for both.
        var describe = await UntilAsync(
            ["describe", "pod", pod, "-n", Ns],
            r => r.Stdout.Contains("FailedScheduling", StringComparison.Ordinal) && r.Stdout.Contains("PodScheduled", StringComparison.Ordinal),
            "the FailedScheduling event and the PodScheduled condition");
        server.Expect.StdoutMatches(describe, @"^Node:\s+<none>\s*$");
        server.Expect.StdoutMatches(
            describe,
            @"^\s+Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0/\d+ nodes are available: .*\d+ node\(s\) didn't match Pod's node affinity/selector");
        server.Expect.StdoutMatches(describe, @"^\s+PodScheduled\s+False\s*$");
        var nodeName = server.Expect.Success(await server.Kubectl.RunAsync("get", "pod", pod, "-n", Ns, "-o", "jsonpath={.spec.nodeName}"));
        server.Expect.True(nodeName.Stdout.Trim().Length == 0, "the pod stays unbound", nodeName);
    }

    [Fact]
    public async Task EmbeddedScheduler_ServesHealthzAndMetricsOnItsSecurePort()
    {
        using var http = new HttpClient(new HttpClientHandler
        {
            // kube-scheduler's port serves a self-signed certificate, as `curl -k` accepts.
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        });
        var healthz = await GetUntilAsync(http, "healthz", body => body == "ok");
        Assert.Equal("ok", healthz);

        // The embedded scheduler campaigns for kube-system/kube-scheduler and, alone, leads.
        var metrics = await GetUntilAsync(http, "metrics", body => body.Contains("leader_election_master_status{name=\"kube-scheduler\"} 1", StringComparison.Ordinal));
        Assert.Contains("scheduler_schedule_attempts_total{result=\"scheduled\"}", metrics, StringComparison.Ordinal);
        var holder = await UntilAsync(
            ["get", "lease", "kube-scheduler", "-n", "kube-system", "-o", "jsonpath={.spec.holderIdentity}"],
            r => r.ExitCode == 0 && r.Stdout.Trim().Length > 0,
            "the kube-scheduler lease to have a holder");
        server.Expect.True(holder.Stdout.Trim().Length > 0, "a holder identity", holder);
    }

    [Fact]
    public async Task SecondSchedulerProcess_BindsThePodsOfItsProfile()
    {
        const string profile = "e2e-second-scheduler";
        var config = server.WriteManifest($"second-scheduler-{_id}.yaml", $"""
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            profiles:
            - schedulerName: {profile}
            """);
        var node = await ApplyNodeAsync("second", pool: $"second-{_id}");
        var pod = $"second-{_id}";
        await using var scheduler = SchedulerProcess.Start(
            server.ServerDll, "scheduler", "--kubeconfig", server.KubeconfigPath, "--config", config, "--secure-port", "0", "--leader-elect", "false");
        await ApplyPodAsync(pod, pool: $"second-{_id}", schedulerName: profile);

        await UntilAsync(
            ["get", "pod", pod, "-n", Ns, "-o", "jsonpath={.spec.nodeName}"],
            r => r.Stdout.Trim() == node,
            $"pod {pod} to be bound to {node} by {profile}",
            scheduler.Output);
        var describe = await UntilAsync(["describe", "pod", pod, "-n", Ns], r => r.Stdout.Contains("Successfully assigned", StringComparison.Ordinal), "the Scheduled event", scheduler.Output);
        server.Expect.StdoutMatches(describe, $@"^\s+Normal\s+Scheduled\s+\S+\s+{profile}\s+Successfully assigned {Ns}/{pod} to {node}\s*$");

        var exitCode = await scheduler.StopAsync();
        Assert.True(exitCode == 0, $"navarch scheduler exited with {exitCode} on SIGTERM\n{scheduler.Output()}");
    }

    [Theory]
    [InlineData("unknown-plugin", "plugins:\n    filter:\n      enabled:\n      - name: NoSuchPlugin", 2, "plugin \"NoSuchPlugin\" does not exist")]
    [InlineData("bad-args", "pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: Bogus", 1, "scoringStrategy.type: Unsupported value: \"Bogus\"")]
    public async Task SchedulerProcess_WithInvalidConfiguration_ExitsWithTheReason(string name, string profileBody, int exitCode, string reason)
    {
        var config = server.WriteManifest($"invalid-{name}-{_id}.yaml", $"""
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            leaderElection:
              leaderElect: false
            profiles:
            - schedulerName: e2e-invalid-{name}
              {profileBody}
            """);
        await using var scheduler = SchedulerProcess.Start(
            server.ServerDll, "scheduler", "--kubeconfig", server.KubeconfigPath, "--config", config, "--secure-port", "0");

        var exited = await scheduler.WaitForExitAsync(Deadline);
        Assert.True(exited == exitCode, $"expected exit code {exitCode}, got {exited}\n{scheduler.Output()}");
        Assert.Contains(reason, scheduler.Output(), StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", scheduler.Output(), StringComparison.Ordinal);
    }

    /// <summary>A ready node with 4 cpu and 8Gi allocatable (kubectl apply keeps a node's status on create), tainted for these tests.</summary>
    private async Task<string> ApplyNodeAsync(string role, string pool)
    {
        var name = $"e2e-sched-{role}-{_id}";
        server.Expect.Success(await server.Kubectl.RunWithInputAsync($"""
            apiVersion: v1
            kind: Node
            metadata:
              name: {name}
              labels:
                kubernetes.io/hostname: {name}
                e2e.navarch.io/pool: {pool}
            spec:
              taints:
              - key: {TaintKey}
                value: "true"
                effect: NoSchedule
            status:
              capacity:
                cpu: "4"
                memory: 8Gi
                pods: "110"
              allocatable:
                cpu: "4"
                memory: 8Gi
                pods: "110"
              conditions:
              - type: Ready
                status: "True"
            """, "apply", "-f", "-"));
        _nodes.Add(name);
        var allocatable = server.Expect.Success(await server.Kubectl.RunAsync("get", "node", name, "-o", "jsonpath={.status.allocatable.cpu}"));
        server.Expect.StdoutLines(allocatable, "4");
        return name;
    }

    private async Task ApplyPodAsync(string name, string pool, string? schedulerName = null)
    {
        server.Expect.Success(await server.Kubectl.RunWithInputAsync($"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {name}
              namespace: {Ns}
            spec:
              {(schedulerName is null ? "" : $"schedulerName: {schedulerName}")}
              nodeSelector:
                e2e.navarch.io/pool: {pool}
              tolerations:
              - key: {TaintKey}
                operator: Exists
                effect: NoSchedule
              containers:
              - name: main
                image: busybox
                resources:
                  requests:
                    cpu: 100m
                    memory: 64Mi
            """, "apply", "-f", "-"));
    }

    /// <summary>Runs kubectl until <paramref name="done"/> holds; fails with the last run (and extra context) at the deadline.</summary>
    private async Task<KubectlResult> UntilAsync(string[] args, Func<KubectlResult, bool> done, string waitingFor, Func<string>? context = null)
    {
        var stop = DateTime.UtcNow + Deadline;
        while (true)
        {
            var result = await server.Kubectl.RunAsync(args);
            if (done(result))
            {
                return result;
            }

            if (DateTime.UtcNow >= stop)
            {
                server.Expect.Fail($"timed out after {Deadline} waiting for {waitingFor}{(context is null ? "" : "\n--- scheduler output ---\n" + context())}", result);
            }

            await Task.Delay(200);
        }
    }

    private async Task<string> GetUntilAsync(HttpClient http, string path, Func<string, bool> done)
    {
        var url = new Uri($"https://127.0.0.1:{server.SchedulerPort}/{path}");
        var stop = DateTime.UtcNow + Deadline;
        var last = "";
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode == HttpStatusCode.OK && done(last[4..]))
                {
                    return last[4..];
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            if (DateTime.UtcNow >= stop)
            {
                server.Expect.Fail($"timed out after {Deadline} waiting for {url}; last answer: {last}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>A <c>navarch</c> child process whose output is kept for failure messages; killed if the test does not stop it.</summary>
    private sealed class SchedulerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private SchedulerProcess(Process process) => _process = process;

        public static SchedulerProcess Start(params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            var process = new Process { StartInfo = start };
            var result = new SchedulerProcess(process);
            process.OutputDataReceived += (_, e) => result.Append(e.Data);
            process.ErrorDataReceived += (_, e) => result.Append(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return result;
        }

        public string Output()
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }

        /// <summary>Sends SIGTERM, as a service manager would, and waits for a clean exit; returns the exit code.</summary>
        public async Task<int> StopAsync()
        {
            if (!_process.HasExited)
            {
                using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(deadline.Token);
            return _process.ExitCode;
        }

        /// <summary>Waits for the process to end by itself; returns its exit code, or -1 if it still runs at the deadline.</summary>
        public async Task<int> WaitForExitAsync(TimeSpan deadline)
        {
            using var timeout = new CancellationTokenSource(deadline);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
                return _process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                return -1;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync(deadline.Token);
            }

            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
