using System.Globalization;

namespace Navarch.E2E.Agent;

/// <summary>Workloads on the pod network of the server's node: a Deployment serving HTTP, init containers, and a pod of two containers.</summary>
[Collection(AgentCollection.Name)]
public sealed class PodWorkloadTests(AgentCluster cluster)
{
    private readonly AgentScenario _scenario = new(cluster);

    [Fact]
    public async Task DeploymentOfThreeHttpdPods_ReachesRunning_WithPodIpsThatAnswerHttpFromTheHost()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web-e2e}
            spec:
              replicas: 3
              selector:
                matchLabels: {app: web-e2e}
              template:
                metadata:
                  labels: {app: web-e2e}
                spec:
                  nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: httpd
                    image: {{AgentCluster.Image}}
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "mkdir -p /www && echo hello-from-$(hostname) > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    ports: [{containerPort: 8080}]
            """);
        try
        {
            var pods = await _scenario.UntilAsync(
                """{range .items[*]}{.metadata.name} {.status.phase} {.status.podIP}{"\n"}{end}""", ["pods", "-l", "app=web-e2e"],
                listing => Rows(listing) is { Count: 3 } rows && rows.All(r => r.Length == 3 && r[1] == "Running" && r[2].Length > 0),
                "3 Running pods with IPs");
            await _scenario.UntilAsync("{.status.readyReplicas}", ["deployment", "web-e2e"], r => r == "3", "the Deployment to count 3 ready replicas");

            var rows = Rows(pods);
            Assert.Equal(3, rows.Select(r => r[2]).Distinct().Count());
            // Concurrently: a pod IP reused from an earlier run can sit behind a stale neighbour entry for a few seconds.
            var bodies = await Task.WhenAll(rows.Select(row => _scenario.UntilHttpAsync($"http://{row[2]}:8080/", _ => true, row[0], "a page")));

            // Each pod's own page names it (its hostname is the pod name), so the IP really leads to that pod.
            Assert.Equal(rows.Select(row => $"hello-from-{row[0]}\n"), bodies);
        }
        finally
        {
            await _scenario.DeleteAsync("deployment/web-e2e");
        }
    }

    [Fact]
    public async Task InitContainers_RunOneAfterAnother_InSpecOrder_BeforeTheAppContainer()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: init-order}
            spec:
              restartPolicy: Never
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              initContainers:
              - {name: first, image: {{AgentCluster.Image}}, imagePullPolicy: IfNotPresent, command: ["sleep", "1"]}
              - {name: second, image: {{AgentCluster.Image}}, imagePullPolicy: IfNotPresent, command: ["sleep", "1"]}
              - {name: third, image: {{AgentCluster.Image}}, imagePullPolicy: IfNotPresent, command: ["sleep", "1"]}
              containers:
              - {name: main, image: {{AgentCluster.Image}}, imagePullPolicy: IfNotPresent, command: ["true"]}
            """);
        await _scenario.UntilPhaseAsync("init-order", "Succeeded");

        var init = Rows(await _scenario.JsonPathAsync(
            """{range .status.initContainerStatuses[*]}{.name} {.state.terminated.reason} {.state.terminated.startedAt} {.state.terminated.finishedAt}{"\n"}{end}""",
            "pod", "init-order"));
        Assert.Equal(["first", "second", "third"], init.Select(r => r[0]));
        Assert.All(init, r => Assert.Equal("Completed", r[1]));
        var mainStarted = await _scenario.JsonPathAsync("{.status.containerStatuses[0].state.terminated.startedAt}", "pod", "init-order");

        // Times have whole seconds; each init container sleeps one, so a container that started before its predecessor finished would show.
        var order = init.SelectMany(r => new[] { r[2], r[3] }).Append(mainStarted).Select(t => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture)).ToList();
        Assert.True(order.Order().SequenceEqual(order), $"not one after another:\n{string.Join('\n', init.Select(r => string.Join(' ', r)))}\nmain started {mainStarted}");
        await _scenario.DeleteAsync("pod/init-order");
    }

    [Fact]
    public async Task InitContainers_AppendingToAnEmptyDir_LeaveTheirLinesInOrder_ForTheAppContainer()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: init-emptydir}
            spec:
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              terminationGracePeriodSeconds: 1
              volumes:
              - name: work
                emptyDir: {}
              initContainers:
              - {name: one, image: {{AgentCluster.Image}}, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "echo one >> /work/order.txt"], volumeMounts: [{name: work, mountPath: /work}]}
              - {name: two, image: {{AgentCluster.Image}}, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "echo two >> /work/order.txt"], volumeMounts: [{name: work, mountPath: /work}]}
              - {name: three, image: {{AgentCluster.Image}}, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "echo three >> /work/order.txt"], volumeMounts: [{name: work, mountPath: /work}]}
              containers:
              - name: web
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["httpd", "-f", "-p", "8080", "-h", "/work"]
                volumeMounts: [{name: work, mountPath: /work}]
            """);
        try
        {
            await _scenario.UntilPhaseAsync("init-emptydir", "Running");
            var ip = await _scenario.JsonPathAsync("{.status.podIP}", "pod", "init-emptydir");
            var body = await _scenario.UntilHttpAsync($"http://{ip}:8080/order.txt", _ => true, "init-emptydir", "the file");
            Assert.Equal("one\ntwo\nthree\n", body);
        }
        finally
        {
            await _scenario.DeleteAsync("pod/init-emptydir");
        }
    }

    [Fact]
    public async Task TwoContainersOfOnePod_ShareItsIpAndAnEmptyDir()
    {
        // "private" serves a page from its own filesystem on 8081 and the shared emptyDir on 8080; "fetcher" reaches
        // 8081 on localhost and writes what it got into the emptyDir, so the host reads it back through 8080.
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: two-containers}
            spec:
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              terminationGracePeriodSeconds: 1
              volumes:
              - name: shared
                emptyDir: {}
              containers:
              - name: web
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "mkdir -p /own && echo only-in-web > /own/index.html && httpd -p 8081 -h /own && exec httpd -f -p 8080 -h /shared"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              - name: fetcher
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "until wget -q -O /shared/tmp http://localhost:8081/; do sleep 0.2; done; mv /shared/tmp /shared/fetched.txt; exec sleep 3600"]
                volumeMounts: [{name: shared, mountPath: /shared}]
            """);
        try
        {
            await _scenario.UntilPodAsync("two-containers", "{.status.phase} {.status.containerStatuses[*].ready}", s => s == "Running true true", "both containers to run");
            var ip = await _scenario.JsonPathAsync("{.status.podIP}", "pod", "two-containers");
            Assert.StartsWith("10.42.", ip);
            var body = await _scenario.UntilHttpAsync($"http://{ip}:8080/fetched.txt", _ => true, "two-containers", "the fetched page");
            Assert.Equal("only-in-web\n", body);
        }
        finally
        {
            await _scenario.DeleteAsync("pod/two-containers");
        }
    }

    /// <summary>The space-separated fields of each line of a JSONPath range listing.</summary>
    private static List<string[]> Rows(string listing) =>
        listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => line.Split(' ')).ToList();
}
