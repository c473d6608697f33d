namespace Navarch.E2E.Agent;

/// <summary>Pods that really run: the server's own node and a node joined with <c>navarch agent</c>, driven by stock kubectl.</summary>
public sealed class AgentTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    // Imported by every agent at start (built from this machine's busybox-static), so no registry is needed.
    private const string Image = "navarch.local/pause:3.10";

    [Fact]
    public async Task PodThatPrintsAndExits_OnTheServersNode_EndsSucceededWithAPodIp()
    {
        var run = await cluster.Kubectl.RunAsync("run", "hello", $"--image={Image}", "--restart=Never", "--command", "--", "sh", "-c", "echo hi-from-navarch");
        Assert.True(run.ExitCode == 0, run.ToString());

        await PhaseAsync("hello", "Succeeded");
        var ip = await cluster.Kubectl.RunAsync("get", "pod", "hello", "-o", "jsonpath={.status.podIP}");
        Assert.StartsWith("10.42.", ip.Stdout); // from the node's pod CIDR, through the CNI bridge
        var exit = await cluster.Kubectl.RunAsync("get", "pod", "hello", "-o", "jsonpath={.status.containerStatuses[0].state.terminated.exitCode}");
        Assert.Equal("0", exit.Stdout);
    }

    [Fact]
    public async Task AgentJoinedWithTheNodeToken_RegistersItsNode_AndRunsPodsBoundToIt()
    {
        var agent = cluster.StartAgent("agent-e2e");
        await cluster.UntilAsync(
            async () => (await cluster.Kubectl.RunAsync("get", "node", "agent-e2e", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Stdout == "True",
            "node agent-e2e to be Ready", agent);

        var run = await cluster.Kubectl.RunAsync("run", "on-agent", $"--image={Image}", "--restart=Never",
            // Host network: both nodes share this machine, and their CNI bridges would claim the same interface.
            "--overrides", """{"spec":{"hostNetwork":true,"nodeSelector":{"kubernetes.io/hostname":"agent-e2e"}}}""", "--command", "--", "sh", "-c", "echo from-agent");
        Assert.True(run.ExitCode == 0, run.ToString());

        await PhaseAsync("on-agent", "Succeeded");
        var wide = await cluster.Kubectl.RunAsync("get", "pod", "on-agent", "-o", "wide");
        Assert.Contains("agent-e2e", wide.Stdout);
        Assert.Contains("Completed", wide.Stdout);
    }

    private async Task PhaseAsync(string pod, string phase)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = (await cluster.Kubectl.RunAsync("get", "pod", pod, "-o", "jsonpath={.status.phase}")).Stdout;
            if (last == phase) return;
            await Task.Delay(250);
        }

        var describe = await cluster.Kubectl.RunAsync("describe", "pod", pod);
        Assert.Fail($"pod {pod} is {last}, expected {phase}\n{describe.Stdout}\n{cluster.LogTails()}");
    }
}
