namespace Navarch.E2E.Agent;

/// <summary>Resource limits become cgroup limits that the kernel enforces.</summary>
[Collection(AgentCollection.Name)]
public sealed class PodResourceTests(AgentCluster cluster)
{
    private readonly AgentScenario _scenario = new(cluster);

    [Fact]
    public async Task MemoryHogOverItsLimit_IsOomKilled()
    {
        // The shell doubles a string until the 16 MiB limit stops it: well past the limit within a second.
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: memory-hog}
            spec:
              restartPolicy: Never
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              containers:
              - name: hog
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "a=0123456789abcdef; while true; do a=$a$a; done"]
                resources:
                  limits: {memory: 16Mi}
            """);
        try
        {
            await _scenario.UntilPhaseAsync("memory-hog", "Failed");
            var terminated = await _scenario.JsonPathAsync("{.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}", "pod", "memory-hog");
            Assert.True(terminated == "OOMKilled 137", $"expected OOMKilled with exit code 137 (SIGKILL), got '{terminated}'");
            Assert.Equal("Burstable", await _scenario.JsonPathAsync("{.status.qosClass}", "pod", "memory-hog"));
        }
        finally
        {
            await _scenario.DeleteAsync("pod/memory-hog");
        }
    }
}
