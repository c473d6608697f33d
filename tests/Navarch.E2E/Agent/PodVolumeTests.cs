namespace Navarch.E2E.Agent;

/// <summary>ConfigMap volumes: the keys appear as files, and an update to the ConfigMap reaches the running pod.</summary>
[Collection(AgentCollection.Name)]
public sealed class PodVolumeTests(AgentCluster cluster)
{
    private readonly AgentScenario _scenario = new(cluster);

    [Fact]
    public async Task ConfigMapVolume_ShowsItsKeys_AndFollowsAnUpdate()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cm-e2e}
            data: {greeting: hello, color: blue}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: cm-volume}
            spec:
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              terminationGracePeriodSeconds: 1
              volumes:
              - name: config
                configMap: {name: cm-e2e}
              containers:
              - name: web
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["httpd", "-f", "-p", "8080", "-h", "/config"]
                volumeMounts: [{name: config, mountPath: /config, readOnly: true}]
            """);
        try
        {
            await _scenario.UntilPhaseAsync("cm-volume", "Running");
            var ip = await _scenario.JsonPathAsync("{.status.podIP}", "pod", "cm-volume");
            Assert.Equal("hello", await _scenario.UntilHttpAsync($"http://{ip}:8080/greeting", _ => true, "cm-volume", "the greeting key"));
            Assert.Equal("blue", await _scenario.UntilHttpAsync($"http://{ip}:8080/color", _ => true, "cm-volume", "the color key"));

            var patch = await cluster.Kubectl.RunAsync("patch", "configmap", "cm-e2e", "--type=merge", "-p", """{"data":{"greeting":"updated"}}""");
            Assert.True(patch.ExitCode == 0, patch.ToString());
            await _scenario.UntilHttpAsync($"http://{ip}:8080/greeting", body => body == "updated", "cm-volume", "the updated greeting");
            Assert.Equal("blue", await _scenario.UntilHttpAsync($"http://{ip}:8080/color", _ => true, "cm-volume", "the unchanged key"));
        }
        finally
        {
            await _scenario.DeleteAsync("pod/cm-volume");
            await _scenario.DeleteAsync("configmap/cm-e2e");
        }
    }
}
