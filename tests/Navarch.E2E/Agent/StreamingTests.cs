using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Navarch.E2E.Agent;

/// <summary>
/// kubectl logs, exec, attach, port-forward and cp against real pods: kubectl → API server (pods/log, exec, attach,
/// portforward) → the node's kubelet API → containerd's streaming server, with stock kubectl's WebSocket attempts and
/// SPDY fallbacks.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed partial class StreamingTests(AgentCluster cluster)
{
    private static readonly TimeSpan StreamDeadline = TimeSpan.FromSeconds(30);

    private readonly AgentScenario _scenario = new(cluster);

    [Fact]
    public async Task Logs_OfPodThatPrinted_ShowItsLines_WithTailAndTimestamps()
    {
        await RunPodAsync("logs-e2e", "echo line-one; echo line-two; echo line-three", restart: "Never");
        try
        {
            await _scenario.UntilPhaseAsync("logs-e2e", "Succeeded");

            var all = await cluster.Kubectl.RunAsync("logs", "logs-e2e");
            Assert.True(all.ExitCode == 0, all.ToString());
            Assert.Equal(["line-one", "line-two", "line-three"], all.StdoutLines);

            var tail = await cluster.Kubectl.RunAsync("logs", "logs-e2e", "--tail=1");
            Assert.Equal(["line-three"], tail.StdoutLines);

            var stamped = await cluster.Kubectl.RunAsync("logs", "logs-e2e", "--timestamps", "--tail=1");
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z line-three$", Assert.Single(stamped.StdoutLines));
        }
        finally
        {
            await _scenario.DeleteAsync("pod/logs-e2e");
        }
    }

    [Fact]
    public async Task LogsFollow_ShowsALineWrittenLater()
    {
        await RunPodAsync("follow-e2e", "echo early; sleep 3; echo later-line; exec sleep 3600");
        try
        {
            await _scenario.UntilPhaseAsync("follow-e2e", "Running");
            await using var follow = cluster.Kubectl.StartStreaming("logs", "-f", "follow-e2e");

            Assert.True(await follow.WaitForLineAsync(EarlyLine(), StreamDeadline) is not null, follow.ToString());
            Assert.True(await follow.WaitForLineAsync(LaterLine(), StreamDeadline) is not null, follow.ToString());
        }
        finally
        {
            await _scenario.DeleteAsync("pod/follow-e2e");
        }
    }

    [Fact]
    public async Task Exec_ReturnsTheCommandsOutputAndExitCode()
    {
        await RunPodAsync("exec-e2e", "exec sleep 3600");
        try
        {
            await _scenario.UntilPhaseAsync("exec-e2e", "Running");

            var ok = await cluster.Kubectl.RunAsync("exec", "exec-e2e", "--", "sh", "-c", "echo from-exec; echo to-stderr >&2");
            Assert.True(ok.ExitCode == 0, ok.ToString());
            Assert.Equal("from-exec", ok.Stdout.Trim());
            Assert.Contains("to-stderr", ok.Stderr);

            var failed = await cluster.Kubectl.RunAsync("exec", "exec-e2e", "--", "sh", "-c", "exit 3");
            Assert.True(failed.ExitCode == 3, failed.ToString());
            Assert.Contains("command terminated with exit code 3", failed.Stderr);
        }
        finally
        {
            await _scenario.DeleteAsync("pod/exec-e2e");
        }
    }

    [Fact]
    public async Task ExecWithStdin_PassesInputToTheCommand()
    {
        await RunPodAsync("stdin-e2e", "exec sleep 3600");
        try
        {
            await _scenario.UntilPhaseAsync("stdin-e2e", "Running");

            var result = await cluster.Kubectl.RunWithInputAsync("hello-through-stdin\n", "exec", "-i", "stdin-e2e", "--", "sh", "-c", "cat; echo done");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(["hello-through-stdin", "done"], result.StdoutLines);
        }
        finally
        {
            await _scenario.DeleteAsync("pod/stdin-e2e");
        }
    }

    [Fact]
    public async Task ExecInteractiveWithTty_GivesTheCommandATerminal_AndReturnsItsExitCode()
    {
        await RunPodAsync("tty-e2e", "exec sleep 3600");
        try
        {
            await _scenario.UntilPhaseAsync("tty-e2e", "Running");

            // kubectl -it needs a terminal on its stdin: util-linux's script gives it a pseudo-terminal.
            var kubeconfig = Path.Combine(cluster.DataDir, "kubeconfig.yaml");
            var (code, stdout, stderr) = await RunAsync("script", "-qec",
                $"/usr/bin/kubectl --kubeconfig {kubeconfig} exec -it tty-e2e -- sh -c 'tty; exit 5'", "/dev/null");
            Assert.True(code == 5, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("/dev/pts/", stdout);
        }
        finally
        {
            await _scenario.DeleteAsync("pod/tty-e2e");
        }
    }

    [Fact]
    public async Task Exec_WithOlderKubectlVersions_Works()
    {
        // 1.29 speaks only SPDY; 1.30 and later try WebSocket first.
        var versions = new[] { "1.29", "1.30", "1.31", "1.33" }
            .Where(v => File.Exists($"/usr/lib/google-cloud-sdk/bin/kubectl.{v}")).ToArray();
        if (versions.Length == 0)
        {
            // Only the Google Cloud SDK's kubectl ships the older versions beside /usr/bin/kubectl; nothing to compare.
            return;
        }

        await RunPodAsync("versions-e2e", "exec sleep 3600");
        try
        {
            await _scenario.UntilPhaseAsync("versions-e2e", "Running");
            foreach (var version in versions)
            {
                var (code, stdout, stderr) = await RunKubectlVersionAsync(version, "exec", "versions-e2e", "--", "sh", "-c", "echo hi-$0; exit 4", version);
                Assert.True(code == 4, $"kubectl {version}: exit {code}\n{stdout}\n{stderr}");
                Assert.Equal($"hi-{version}", stdout.Trim());
            }
        }
        finally
        {
            await _scenario.DeleteAsync("pod/versions-e2e");
        }
    }

    [Fact]
    public async Task Attach_StreamsTheRunningContainersOutput()
    {
        await RunPodAsync("attach-e2e", "while true; do echo tick-$(date +%s); sleep 1; done");
        try
        {
            await _scenario.UntilPhaseAsync("attach-e2e", "Running");
            await using var attach = cluster.Kubectl.StartStreaming("attach", "attach-e2e");

            Assert.True(await attach.WaitForLineAsync(TickLine(), StreamDeadline) is not null, attach.ToString());
        }
        finally
        {
            await _scenario.DeleteAsync("pod/attach-e2e");
        }
    }

    [Fact]
    public async Task PortForward_ServesAnHttpRequestFromThePod()
    {
        await RunPodAsync("forward-e2e", "mkdir -p /www && echo served-through-port-forward > /www/index.html && exec httpd -f -p 8080 -h /www");
        try
        {
            await _scenario.UntilPhaseAsync("forward-e2e", "Running");
            var port = FreePort();
            await using var forward = cluster.Kubectl.StartStreaming("port-forward", "pod/forward-e2e", $"{port.ToString(CultureInfo.InvariantCulture)}:8080");
            Assert.True(await forward.WaitForLineAsync(ForwardingLine(), StreamDeadline) is not null, forward.ToString());

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/index.html"));
            Assert.Equal("served-through-port-forward", body.Trim());

            // A second connection through the same forward.
            body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/index.html"));
            Assert.Equal("served-through-port-forward", body.Trim());
        }
        finally
        {
            await _scenario.DeleteAsync("pod/forward-e2e");
        }
    }

    [Fact]
    public async Task PortForward_WithKubectl130_UsesSpdyDirectly()
    {
        // Before 1.31 kubectl port-forward speaks SPDY only; /usr/bin/kubectl tries the WebSocket tunnel first.
        const string Kubectl130 = "/usr/lib/google-cloud-sdk/bin/kubectl.1.30";
        if (!File.Exists(Kubectl130))
        {
            // Only the Google Cloud SDK's kubectl ships the older versions beside /usr/bin/kubectl.
            return;
        }

        await RunPodAsync("forward130-e2e", "mkdir -p /www && echo spdy-forward > /www/index.html && exec httpd -f -p 8080 -h /www");
        try
        {
            await _scenario.UntilPhaseAsync("forward130-e2e", "Running");
            var port = FreePort().ToString(CultureInfo.InvariantCulture);
            var start = new ProcessStartInfo(Kubectl130) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "--kubeconfig", Path.Combine(cluster.DataDir, "kubeconfig.yaml"), "port-forward", "pod/forward130-e2e", $"{port}:8080" })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl 1.30 did not start");
            try
            {
                using var deadline = new CancellationTokenSource(StreamDeadline);
                string? line;
                while ((line = await process.StandardOutput.ReadLineAsync(deadline.Token)) is not null && !ForwardingLine().IsMatch(line))
                {
                }

                if (line is null)
                {
                    Assert.Fail("kubectl 1.30 port-forward ended: " + await process.StandardError.ReadToEndAsync(deadline.Token));
                }

                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                Assert.Equal("spdy-forward", (await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/index.html"))).Trim());
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        finally
        {
            await _scenario.DeleteAsync("pod/forward130-e2e");
        }
    }

    [Fact]
    public async Task Cp_CopiesAFileIntoAndOutOfThePod()
    {
        // kubectl cp runs tar in the container.
        await RunPodAsync("cp-e2e", "exec sleep 3600");
        var directory = Directory.CreateTempSubdirectory("navarch-e2e-cp-").FullName;
        try
        {
            await _scenario.UntilPhaseAsync("cp-e2e", "Running");
            var source = Path.Combine(directory, "in.txt");
            var content = "copied-by-kubectl-cp " + Guid.NewGuid().ToString("N") + "\n";
            await File.WriteAllTextAsync(source, content);

            var upload = await cluster.Kubectl.RunAsync("cp", source, "default/cp-e2e:/tmp/in.txt");
            Assert.True(upload.ExitCode == 0, upload.ToString());
            var cat = await cluster.Kubectl.RunAsync("exec", "cp-e2e", "--", "cat", "/tmp/in.txt");
            Assert.Equal(content, cat.Stdout);

            var copyBack = Path.Combine(directory, "out.txt");
            var download = await cluster.Kubectl.RunAsync("cp", "default/cp-e2e:/tmp/in.txt", copyBack);
            Assert.True(download.ExitCode == 0, download.ToString());
            Assert.Equal(content, await File.ReadAllTextAsync(copyBack));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            await _scenario.DeleteAsync("pod/cp-e2e");
        }
    }

    [Fact]
    public async Task Exec_InPodWithSeveralContainers_WithoutContainerFlag_UsesTheFirstAndSaysSo()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: two-e2e}
            spec:
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              terminationGracePeriodSeconds: 1
              containers:
              - {name: first, image: {{AgentCluster.Image}}, imagePullPolicy: IfNotPresent, command: [sh, -c, "exec sleep 3600"]}
              - {name: second, image: {{AgentCluster.Image}}, imagePullPolicy: IfNotPresent, command: [sh, -c, "exec sleep 3600"]}
            """);
        try
        {
            await _scenario.UntilPhaseAsync("two-e2e", "Running");
            var second = await cluster.Kubectl.RunAsync("exec", "two-e2e", "-c", "second", "--", "sh", "-c", "echo in-second");
            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Equal("in-second", second.Stdout.Trim());

            var logs = await cluster.Kubectl.RunAsync("logs", "two-e2e", "-c", "nope");
            Assert.NotEqual(0, logs.ExitCode);
            Assert.Contains("container nope is not valid for pod two-e2e", logs.Stderr);
        }
        finally
        {
            await _scenario.DeleteAsync("pod/two-e2e");
        }
    }

    private Task RunPodAsync(string name, string script, string restart = "Always") => _scenario.CreateAsync($$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}}
        spec:
          nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
          terminationGracePeriodSeconds: 1
          restartPolicy: {{restart}}
          containers:
          - name: main
            image: {{AgentCluster.Image}}
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", {{System.Text.Json.JsonSerializer.Serialize(script)}}]
        """);

    private Task<(int Code, string Stdout, string Stderr)> RunKubectlVersionAsync(string version, params string[] args) =>
        RunAsync($"/usr/lib/google-cloud-sdk/bin/kubectl.{version}", ["--kubeconfig", Path.Combine(cluster.DataDir, "kubeconfig.yaml"), .. args]);

    /// <summary>Runs a program with a private HOME and no KUBECONFIG, killed at the deadline.</summary>
    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var home = Directory.CreateTempSubdirectory("navarch-e2e-kubectl-").FullName;
        start.Environment["HOME"] = home;
        start.Environment.Remove("KUBECONFIG");
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(StreamDeadline);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                return (-1, await stdout, await stderr + "\n[e2e] killed at the deadline");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("^early$")]
    private static partial Regex EarlyLine();

    [GeneratedRegex("^later-line$")]
    private static partial Regex LaterLine();

    [GeneratedRegex("^tick-[0-9]+$")]
    private static partial Regex TickLine();

    [GeneratedRegex("^Forwarding from 127\\.0\\.0\\.1:")]
    private static partial Regex ForwardingLine();
}
