namespace Navarch.E2E.Agent;

/// <summary>The one change a running pod's containers take: a new image, as <c>kubectl set image</c> makes it.</summary>
[Collection(AgentCollection.Name)]
public sealed class PodUpdateTests(AgentCluster cluster)
{
    private readonly AgentScenario _scenario = new(cluster);

    [Fact]
    public async Task SetImage_OnARunningPod_RestartsItsContainerWithTheNewImage()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: set-image}
            spec:
              restartPolicy: Never
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
            await _scenario.UntilPhaseAsync("set-image", "Running");
            var before = await _scenario.JsonPathAsync("{.status.containerStatuses[0].containerID}", "pod", "set-image");

            var set = await _scenario.Kubectl.RunAsync("set", "image", "pod/set-image", "app=docker.io/library/busybox:latest");
            Assert.True(set.ExitCode == 0, set.ToString());
            Assert.Contains("pod/set-image image updated", set.Stdout, StringComparison.Ordinal);

            var after = await _scenario.UntilPodAsync(
                "set-image",
                "{.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].image} {.status.containerStatuses[0].state.running.startedAt}",
                status => status.StartsWith("1 docker.io/library/busybox:latest 2", StringComparison.Ordinal),
                "the container to restart with the new image");
            Assert.NotEqual(before, await _scenario.JsonPathAsync("{.status.containerStatuses[0].containerID}", "pod", "set-image"));
            Assert.Equal("Running", await _scenario.JsonPathAsync("{.status.phase}", "pod", "set-image"));

            var events = await _scenario.Kubectl.RunAsync("get", "events", "--field-selector", "involvedObject.name=set-image", "-o", "jsonpath={.items[*].message}");
            Assert.Contains("Container app definition changed, will be restarted", events.Stdout, StringComparison.Ordinal);

            // Container events name the container, as `kubectl get events -o wide` shows in SUBOBJECT.
            var wide = await _scenario.Kubectl.RunAsync("get", "events", "--field-selector", "involvedObject.name=set-image,reason=Started", "-o", "wide");
            Assert.True(wide.ExitCode == 0, wide.ToString());
            Assert.Contains("SUBOBJECT", wide.Stdout, StringComparison.Ordinal);
            Assert.Contains("spec.containers{app}", wide.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await _scenario.DeleteAsync("pod/set-image");
        }
    }
}
