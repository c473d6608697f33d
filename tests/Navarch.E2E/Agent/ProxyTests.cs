using System.Text.Json;

namespace Navarch.E2E.Agent;

/// <summary>The API server's proxy subresources against a real kubelet and a real pod, through stock kubectl.</summary>
[Collection(AgentCollection.Name)]
public sealed class ProxyTests(AgentCluster cluster)
{
    private readonly AgentScenario _scenario = new(cluster);

    [Fact]
    public async Task NodeProxy_ReachesTheKubeletsHealthAndStatsSummary()
    {
        var health = await cluster.Kubectl.RunAsync("get", "--raw", $"/api/v1/nodes/{cluster.ServerNode}/proxy/healthz");
        Assert.True(health.ExitCode == 0, health.ToString());
        Assert.Equal("ok", health.Stdout.Trim());

        var summary = await cluster.Kubectl.RunAsync("get", "--raw", $"/api/v1/nodes/{cluster.ServerNode}/proxy/stats/summary");
        Assert.True(summary.ExitCode == 0, summary.ToString());
        using var json = JsonDocument.Parse(summary.Stdout);
        Assert.Equal(cluster.ServerNode, json.RootElement.GetProperty("node").GetProperty("nodeName").GetString());

        var missing = await cluster.Kubectl.RunAsync("get", "--raw", "/api/v1/nodes/no-such-node/proxy/healthz");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("NotFound", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodProxy_ForwardsToThePodsPort()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: proxied}
            spec:
              terminationGracePeriodSeconds: 1
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              containers:
              - name: web
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "mkdir -p /www && echo proxied-page > /www/index.html && exec httpd -f -p 8080 -h /www"]
            """);
        try
        {
            await _scenario.UntilPhaseAsync("proxied", "Running");
            var page = "";
            for (var attempt = 0; attempt < 40 && page != "proxied-page"; attempt++)
            {
                var result = await cluster.Kubectl.RunAsync("get", "--raw", "/api/v1/namespaces/default/pods/proxied:8080/proxy/index.html");
                page = result.ExitCode == 0 ? result.Stdout.Trim() : "";
                if (page != "proxied-page")
                {
                    await Task.Delay(250);
                }
            }

            Assert.Equal("proxied-page", page);
        }
        finally
        {
            await _scenario.DeleteAsync("pod/proxied");
        }
    }
}
