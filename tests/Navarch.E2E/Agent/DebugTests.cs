namespace Navarch.E2E.Agent;

/// <summary><c>kubectl debug</c>: an ephemeral container added to a running pod, sharing its target's processes.</summary>
[Collection(AgentCollection.Name)]
public sealed class DebugTests(AgentCluster cluster)
{
    private readonly AgentScenario _scenario = new(cluster);

    [Fact]
    public async Task Debug_WithTarget_RunsAnEphemeralContainerThatSeesTheTargetsProcesses()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: debug-me}
            spec:
              terminationGracePeriodSeconds: 1
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              containers:
              - name: app
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
            """);
        try
        {
            await _scenario.UntilPhaseAsync("debug-me", "Running");

            // Detached: the container prints the target's PID 1 command line and exits.
            var detached = await cluster.Kubectl.RunAsync(
                "debug", "debug-me", $"--image={AgentCluster.Image}", "--image-pull-policy=IfNotPresent", "--target=app", "--container=peek",
                "--", "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo");
            Assert.True(detached.ExitCode == 0, detached.ToString());
            await _scenario.UntilPodAsync(
                "debug-me", "{.status.ephemeralContainerStatuses[?(@.name==\"peek\")].state.terminated.exitCode}", code => code == "0", "the ephemeral container to finish");
            var logs = await cluster.Kubectl.RunAsync("logs", "debug-me", "-c", "peek");
            Assert.True(logs.ExitCode == 0, logs.ToString());
            Assert.Equal("sleep 3600", logs.Stdout.Trim());

            // Attached with stdin, as `kubectl debug -i`: kubectl waits for it to run, then attaches through the API server.
            // containerd stops forwarding an attached container's output once stdin ends (stdinOnce is not set), so
            // stdin stays open until the answer has come back, as a person at the keyboard would keep it.
            var kubeconfig = Path.Combine(cluster.DataDir, "kubeconfig.yaml");
            var (code, stdout, stderr) = await StreamingTests.RunAsync("sh", "-c",
                $"(echo from-stdin; sleep 3) | /usr/bin/kubectl --kubeconfig {kubeconfig} debug -i debug-me --image={AgentCluster.Image} " +
                "--image-pull-policy=IfNotPresent --container=talk -- sh -c 'read line; echo got-$line'");
            Assert.True(code == 0 && stdout.Contains("got-from-stdin", StringComparison.Ordinal), $"exit {code}\n{stdout}\n{stderr}");

            Assert.Equal("peek talk", await _scenario.JsonPathAsync("{.spec.ephemeralContainers[*].name}", "pod", "debug-me"));
            Assert.Equal("Running", await _scenario.JsonPathAsync("{.status.phase}", "pod", "debug-me"));
        }
        finally
        {
            await _scenario.DeleteAsync("pod/debug-me");
        }
    }
}
