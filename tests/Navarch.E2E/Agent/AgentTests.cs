namespace Navarch.E2E.Agent;

/// <summary>Pods that really run: the server's own node and a node joined with <c>navarch agent</c>, driven by stock kubectl.</summary>
[Collection(AgentCollection.Name)]
public sealed class AgentTests(AgentCluster cluster)
{
    private readonly AgentScenario _scenario = new(cluster);

    [Fact]
    public async Task PodThatPrintsAndExits_OnTheServersNode_EndsSucceededWithAPodIp()
    {
        var run = await cluster.Kubectl.RunAsync("run", "hello", $"--image={AgentCluster.Image}", "--image-pull-policy=IfNotPresent", "--restart=Never",
            "--overrides", """{"spec":{"nodeSelector":{"kubernetes.io/hostname":""" + $"\"{cluster.ServerNode}\"" + "}}}",
            "--command", "--", "sh", "-c", "echo hi-from-navarch");
        Assert.True(run.ExitCode == 0, run.ToString());

        await _scenario.UntilPhaseAsync("hello", "Succeeded");
        var ip = await _scenario.JsonPathAsync("{.status.podIP}", "pod", "hello");
        Assert.StartsWith("10.42.", ip); // from the node's pod CIDR, through the CNI bridge
        Assert.Equal("0", await _scenario.JsonPathAsync("{.status.containerStatuses[0].state.terminated.exitCode}", "pod", "hello"));
        Assert.Equal("Completed", await _scenario.JsonPathAsync("{.status.containerStatuses[0].state.terminated.reason}", "pod", "hello"));
        Assert.Contains("hi-from-navarch", await _scenario.ContainerOutputAsync("hello", "hello"));
        var logs = await cluster.Kubectl.RunAsync("logs", "hello");
        Assert.True(logs.ExitCode == 0 && logs.Stdout == "hi-from-navarch\n", logs.ToString());
        await _scenario.DeleteAsync("pod/hello");
    }

    [Fact]
    public async Task AgentJoinedWithTheNodeToken_RegistersItsNode_AndRunsPodsBoundToIt()
    {
        await cluster.EnsureAgentAsync(NodeTests.JoinedNode);

        var run = await cluster.Kubectl.RunAsync("run", "on-agent", $"--image={AgentCluster.Image}", "--image-pull-policy=IfNotPresent", "--restart=Never",
            // Host network: both nodes share this machine, and their CNI bridges would claim the same interface.
            "--overrides", """{"spec":{"hostNetwork":true,"nodeSelector":{"kubernetes.io/hostname":""" + $"\"{NodeTests.JoinedNode}\"" + "}}}",
            "--command", "--", "sh", "-c", "echo from-agent");
        Assert.True(run.ExitCode == 0, run.ToString());

        await _scenario.UntilPhaseAsync("on-agent", "Succeeded");
        var wide = await cluster.Kubectl.RunAsync("get", "pod", "on-agent", "-o", "wide");
        Assert.Contains(NodeTests.JoinedNode, wide.Stdout);
        Assert.Contains("Completed", wide.Stdout);
        Assert.Contains("from-agent", await _scenario.ContainerOutputAsync("on-agent", "on-agent", NodeTests.JoinedNode));
        await _scenario.DeleteAsync("pod/on-agent");
    }
}
