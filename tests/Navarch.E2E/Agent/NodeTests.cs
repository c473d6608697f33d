using System.Text.RegularExpressions;

namespace Navarch.E2E.Agent;

/// <summary>What a node does around its pods: host networking, cleanup in containerd, and surviving an agent restart.</summary>
[Collection(AgentCollection.Name)]
public sealed partial class NodeTests(AgentCluster cluster)
{
    /// <summary>The node joined with <c>navarch agent</c>, shared by the classes of the collection.</summary>
    public const string JoinedNode = "agent-e2e";

    private readonly AgentScenario _scenario = new(cluster);

    [Fact]
    public async Task HostNetworkPod_SeesTheNodesInterfaces()
    {
        // Interfaces other than veths (which come and go with other pods) are stable while the test runs.
        var hostInterfaces = Interfaces(await File.ReadAllLinesAsync("/proc/net/dev")).Where(name => !name.StartsWith("veth", StringComparison.Ordinal)).ToList();
        var defaultRoute = DefaultRouteInterface();
        Assert.Contains(defaultRoute, hostInterfaces);

        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: host-net}
            spec:
              hostNetwork: true
              restartPolicy: Never
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              containers:
              - name: show
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["cat", "/proc/net/dev"]
            """);
        await _scenario.UntilPhaseAsync("host-net", "Succeeded");

        var seen = Interfaces(await _scenario.ContainerOutputAsync("host-net", "show"));
        Assert.All(hostInterfaces, name => Assert.Contains(name, seen));
        Assert.Equal(await _scenario.JsonPathAsync("{.status.hostIP}", "pod", "host-net"), await _scenario.JsonPathAsync("{.status.podIP}", "pod", "host-net"));
        await _scenario.DeleteAsync("pod/host-net");
    }

    [Fact]
    public async Task DeletedPod_HasItsSandboxAndContainersRemovedFromContainerd()
    {
        await _scenario.CreateAsync(Sleeper("delete-me", cluster.ServerNode, hostNetwork: false));
        await _scenario.UntilPhaseAsync("delete-me", "Running");
        var uid = await _scenario.JsonPathAsync("{.metadata.uid}", "pod", "delete-me");
        var containerId = ContainerId(await _scenario.JsonPathAsync("{.status.containerStatuses[0].containerID}", "pod", "delete-me"));
        var socket = cluster.ContainerdSocket();

        var before = await AgentScenario.ContainerdContainersOfPodAsync(socket, uid);
        Assert.Contains(containerId, before);
        Assert.Equal(2, before.Count); // the sandbox and the one container

        var delete = await cluster.Kubectl.RunAsync(["delete", "pod", "delete-me", "--timeout=50s"], stdin: null, AgentScenario.Deadline, CancellationToken.None);
        Assert.True(delete.ExitCode == 0, delete.ToString());

        var stop = DateTime.UtcNow + AgentScenario.Deadline;
        var left = before;
        while (left.Count > 0 && DateTime.UtcNow < stop)
        {
            await Task.Delay(250);
            left = await AgentScenario.ContainerdContainersOfPodAsync(socket, uid);
        }

        Assert.True(left.Count == 0, $"containerd still has {string.Join(", ", left)} of the deleted pod\n{cluster.LogTails()}");
    }

    [Fact]
    public async Task RestartedAgent_AdoptsItsRunningPods_InsteadOfRecreatingThem()
    {
        await cluster.EnsureAgentAsync(JoinedNode);
        await _scenario.CreateAsync(Sleeper("adopt-me", JoinedNode, hostNetwork: true));
        await _scenario.UntilPodAsync("adopt-me", "{.status.phase} {.status.containerStatuses[0].ready}", s => s == "Running true", "adopt-me to run");
        const string Identity = "{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount} {.status.podIP} {.status.containerStatuses[0].state.running.startedAt}";
        var before = await _scenario.JsonPathAsync(Identity, "pod", "adopt-me");
        var uid = await _scenario.JsonPathAsync("{.metadata.uid}", "pod", "adopt-me");
        var socket = cluster.ContainerdSocket(JoinedNode);
        var containers = await AgentScenario.ContainerdContainersOfPodAsync(socket, uid);
        var tasks = await TasksAsync(socket, containers);

        await cluster.RestartAgentAsync(JoinedNode);

        // The new kubelet lists the pod and syncs it within a few status intervals; nothing of it may change meanwhile.
        var settle = DateTime.UtcNow + TimeSpan.FromSeconds(8);
        while (DateTime.UtcNow < settle)
        {
            Assert.Equal(before, await _scenario.JsonPathAsync(Identity, "pod", "adopt-me"));
            await Task.Delay(500);
        }

        Assert.Equal("0", before.Split(' ')[1]); // restartCount, unchanged above along with containerID, pod IP and startedAt
        Assert.Equal(containers, await AgentScenario.ContainerdContainersOfPodAsync(socket, uid));
        Assert.Equal(tasks, await TasksAsync(socket, containers)); // same processes, still running

        // Only the node's kubelet removes a gracefully deleted pod from the API: this proves the new one owns it.
        var delete = await cluster.Kubectl.RunAsync(["delete", "pod", "adopt-me", "--timeout=50s"], stdin: null, AgentScenario.Deadline, CancellationToken.None);
        Assert.True(delete.ExitCode == 0, $"{delete}\n{cluster.LogTails()}");
    }

    [Fact]
    public async Task RestartedServer_AdoptsItsPodNetworkPods_WithTheirSandboxAndPodIp()
    {
        await _scenario.CreateAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: adopt-net}
            spec:
              nodeSelector: {kubernetes.io/hostname: {{cluster.ServerNode}}}
              terminationGracePeriodSeconds: 1
              containers:
              - name: web
                image: {{AgentCluster.Image}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "mkdir -p /www && echo adopted > /www/index.html && exec httpd -f -p 8080 -h /www"]
            """);
        try
        {
            await _scenario.UntilPodAsync("adopt-net", "{.status.phase} {.status.containerStatuses[0].ready}", s => s == "Running true", "adopt-net to run");
            const string Identity = "{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount} {.status.podIP} {.status.containerStatuses[0].state.running.startedAt}";
            var before = await _scenario.JsonPathAsync(Identity, "pod", "adopt-net");
            var ip = before.Split(' ')[2];
            Assert.StartsWith("10.42.", ip);
            var uid = await _scenario.JsonPathAsync("{.metadata.uid}", "pod", "adopt-net");
            var socket = cluster.ContainerdSocket();
            var containers = await AgentScenario.ContainerdContainersOfPodAsync(socket, uid);
            var tasks = await TasksAsync(socket, containers);

            await cluster.RestartServerAsync();

            var settle = DateTime.UtcNow + TimeSpan.FromSeconds(8);
            while (DateTime.UtcNow < settle)
            {
                Assert.Equal(before, await _scenario.JsonPathAsync(Identity, "pod", "adopt-net"));
                await Task.Delay(500);
            }

            Assert.Equal("0", before.Split(' ')[1]);
            Assert.Equal(containers, await AgentScenario.ContainerdContainersOfPodAsync(socket, uid));
            Assert.Equal(tasks, await TasksAsync(socket, containers));

            // The sandbox's network namespace and veth survived too: the same IP still serves the same container.
            Assert.Equal("adopted\n", await _scenario.UntilHttpAsync($"http://{ip}:8080/", _ => true, "adopt-net", "the page after the restart"));
        }
        finally
        {
            await _scenario.DeleteAsync("pod/adopt-net");
        }
    }

    /// <summary>A pod that runs until it is stopped, exiting at once on SIGTERM (as PID 1, sh would ignore it otherwise).</summary>
    internal static string Sleeper(string name, string node, bool hostNetwork) => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}}
        spec:
          hostNetwork: {{(hostNetwork ? "true" : "false")}}
          nodeSelector: {kubernetes.io/hostname: {{node}}}
          containers:
          - name: main
            image: {{AgentCluster.Image}}
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
        """;

    /// <summary>The runtime ID of <c>containerd://&lt;id&gt;</c>.</summary>
    internal static string ContainerId(string containerId)
    {
        Assert.StartsWith("containerd://", containerId);
        return containerId["containerd://".Length..];
    }

    /// <summary>"id pid status" of the containers' tasks, from <c>ctr tasks ls</c>.</summary>
    private static async Task<IReadOnlyList<string>> TasksAsync(string socket, IReadOnlyList<string> containers)
    {
        var lines = (await AgentScenario.CtrAsync(socket, "tasks", "ls")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Select(line => WhiteSpace().Replace(line.Trim(), " ")).Where(line => containers.Contains(line.Split(' ')[0])).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Interface names of a <c>/proc/net/dev</c> listing ("  eth0: 123 ...").</summary>
    private static HashSet<string> Interfaces(IEnumerable<string> procNetDev) =>
        procNetDev.Where(line => line.Contains(':', StringComparison.Ordinal)).Select(line => line.Split(':')[0].Trim()).ToHashSet(StringComparer.Ordinal);

    /// <summary>The interface of the host's IPv4 default route, from <c>/proc/net/route</c> (destination 00000000).</summary>
    private static string DefaultRouteInterface()
    {
        var route = File.ReadAllLines("/proc/net/route").Skip(1).Select(line => line.Split('\t', StringSplitOptions.TrimEntries))
            .FirstOrDefault(fields => fields.Length > 2 && fields[1] == "00000000");
        Assert.NotNull(route);
        return route[0];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
