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
    public async Task PodAndServiceProxy_ForwardToThePodsPort()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: proxied
              labels: {app: proxied}
            spec:
              terminationGracePeriodSeconds: 1
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              containers:
              - name: web
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "mkdir -p /www && echo proxied-page > /www/index.html && exec httpd -f -p 8080 -h /www"]
                ports: [{name: http, containerPort: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: proxied}
            spec:
              selector: {app: proxied}
              ports: [{name: web, port: 80, targetPort: http}]
            """);
        try
        {
            await _scenario.UntilPhaseAsync("proxied", "Running");
            Assert.Equal("proxied-page", await GetUntilAsync("/api/v1/namespaces/default/pods/proxied:8080/proxy/index.html", "proxied-page"));
            // Through the Service: its port named web, whose ready endpoint is the pod's port 8080.
            Assert.Equal("proxied-page", await GetUntilAsync("/api/v1/namespaces/default/services/proxied:web/proxy/index.html", "proxied-page"));
        }
        finally
        {
            await _scenario.DeleteAsync("pod/proxied");
            await _scenario.DeleteAsync("service/proxied");
        }
    }

    /// <summary><c>kubectl get --raw</c> until it prints <paramref name="expected"/> (the pod's server or its endpoints may lag); the last output otherwise.</summary>
    private async Task<string> GetUntilAsync(string path, string expected)
    {
        var last = "";
        for (var attempt = 0; attempt < 60; attempt++)
        {
            var result = await cluster.Kubectl.RunAsync("get", "--raw", path);
            last = result.ExitCode == 0 ? result.Stdout.Trim() : result.Stderr.Trim();
            if (last == expected)
            {
                return last;
            }

            await Task.Delay(250);
        }

        return last;
    }
}
