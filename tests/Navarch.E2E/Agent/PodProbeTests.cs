namespace Navarch.E2E.Agent;

/// <summary>Liveness and readiness probes as the kubelet runs them, seen through <c>kubectl get pod</c> and the pod's status.</summary>
[Collection(AgentCollection.Name)]
public sealed class PodProbeTests(AgentCluster cluster)
{
    private readonly AgentScenario _scenario = new(cluster);

    [Fact]
    public async Task FailingLivenessProbe_RestartsTheContainer_AndShowsCrashLoopBackOff()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: liveness-fail}
            spec:
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                livenessProbe:
                  exec: {command: ["cat", "/tmp/healthy"]}
                  periodSeconds: 1
                  failureThreshold: 1
            """);
        try
        {
            await _scenario.UntilPodAsync("liveness-fail", "{.status.containerStatuses[0].restartCount}",
                count => int.TryParse(count, out var n) && n >= 1, "the liveness probe to restart the container");

            // As the kubelet: the first restart is immediate, the next one waits 10 s, shown as CrashLoopBackOff meanwhile.
            var stop = DateTime.UtcNow + AgentScenario.Deadline;
            var table = "";
            while (!table.Contains("CrashLoopBackOff", StringComparison.Ordinal) && DateTime.UtcNow < stop)
            {
                await Task.Delay(250);
                table = (await cluster.Kubectl.RunAsync("get", "pod", "liveness-fail", "--no-headers")).Stdout;
            }

            if (!table.Contains("CrashLoopBackOff", StringComparison.Ordinal))
            {
                await _scenario.FailAsync($"kubectl get pod never showed CrashLoopBackOff; last:\n{table}", "pod", "liveness-fail");
            }

            // The killed container is kept as the last state, as kubectl describe shows it.
            Assert.NotEqual("", await _scenario.JsonPathAsync("{.status.containerStatuses[0].lastState.terminated.finishedAt}", "pod", "liveness-fail"));
        }
        finally
        {
            await _scenario.DeleteAsync("pod/liveness-fail");
        }
    }

    [Fact]
    public async Task ReadinessProbe_KeepsThePodUnready_UntilItsCheckPasses()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: readiness-gate}
            spec:
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "trap 'exit 0' TERM; sleep 10; touch /tmp/ready; while true; do sleep 1; done"]
                readinessProbe:
                  exec: {command: ["cat", "/tmp/ready"]}
                  periodSeconds: 1
            """);
        try
        {
            const string Readiness = """{.status.phase} {.status.conditions[?(@.type=="Ready")].status} {.status.containerStatuses[0].ready}""";
            var running = await _scenario.UntilPodAsync("readiness-gate", Readiness, s => s.StartsWith("Running", StringComparison.Ordinal), "the pod to run");
            Assert.True(running == "Running False false", $"a running pod whose readiness probe has not passed must not be Ready: {running}");

            await _scenario.UntilPodAsync("readiness-gate", Readiness, s => s == "Running True true", "the readiness probe to pass");
            Assert.Equal("0", await _scenario.JsonPathAsync("{.status.containerStatuses[0].restartCount}", "pod", "readiness-gate"));
        }
        finally
        {
            await _scenario.DeleteAsync("pod/readiness-gate");
        }
    }
}
