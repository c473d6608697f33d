using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Kubelet.Node;

namespace Navarch.Kubelet.Tests.Node;

[Collection(NodeApiCollection.Name)]
public sealed class NodeRegistrarTests(NodeApiFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static NodeOptions Options(string name) => new() { NodeName = name };

    [Fact]
    public async Task Register_CreatesNodeWithProbedFacts()
    {
        var name = NodeTestSupport.NewNodeName();
        var info = NodeTestSupport.ProbeThisMachine(name);
        using var client = NodeTestSupport.KubeletClient(fixture, name);
        var registrar = new NodeRegistrar(client, Options(name), info, "1.6.20~ds1", new FakeTimeProvider(Start));

        await registrar.RegisterAsync(CancellationToken.None);

        var node = await fixture.Admin.CoreV1.ReadNodeAsync(name);
        Assert.Equal(name, node.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("linux", node.Metadata.Labels["kubernetes.io/os"]);
        Assert.Equal(info.Architecture, node.Metadata.Labels["kubernetes.io/arch"]);

        var status = node.Status;
        Assert.Equal(info.CpuCount, status.Capacity["cpu"].ToInt32());
        Assert.Equal(info.MemoryBytes, status.Capacity["memory"].ToInt64());
        Assert.Equal(info.EphemeralStorageBytes, status.Capacity["ephemeral-storage"].ToInt64());
        Assert.Equal(110, status.Capacity["pods"].ToInt32());
        Assert.Equal(info.MemoryBytes, status.Allocatable["memory"].ToInt64());
        Assert.Equal(110, status.Allocatable["pods"].ToInt32());

        Assert.Equal(info.KernelVersion, status.NodeInfo.KernelVersion);
        Assert.Equal(info.OsImage, status.NodeInfo.OsImage);
        Assert.Equal("containerd://1.6.20~ds1", status.NodeInfo.ContainerRuntimeVersion);
        Assert.Equal("v1.32.0+navarch", status.NodeInfo.KubeletVersion);
        Assert.Equal("linux", status.NodeInfo.OperatingSystem);
        Assert.Equal(info.Architecture, status.NodeInfo.Architecture);
        Assert.Equal(info.MachineId, status.NodeInfo.MachineID);
        Assert.Equal(info.BootId, status.NodeInfo.BootID);
        Assert.Equal(info.SystemUuid, status.NodeInfo.SystemUUID);

        Assert.Contains(status.Addresses, a => a.Type == "InternalIP" && a.Address == info.InternalIP);
        Assert.Contains(status.Addresses, a => a.Type == "Hostname" && a.Address == name);
        Assert.Equal(10250, status.DaemonEndpoints.KubeletEndpoint.Port);

        var ready = Assert.Single(status.Conditions, c => c.Type == "Ready");
        Assert.Equal("True", ready.Status);
        Assert.Equal("KubeletReady", ready.Reason);
        Assert.Equal("kubelet is posting ready status", ready.Message);
        Assert.Equal(Start.UtcDateTime, ready.LastHeartbeatTime);
        Assert.Equal(
            [("MemoryPressure", "KubeletHasSufficientMemory"), ("DiskPressure", "KubeletHasNoDiskPressure"), ("PIDPressure", "KubeletHasSufficientPID")],
            status.Conditions.Where(c => c.Type != "Ready").Select(c => (c.Type, c.Reason)));
        Assert.All(status.Conditions.Where(c => c.Type != "Ready"), c => Assert.Equal("False", c.Status));
    }

    [Fact]
    public async Task Register_WhenNodeExists_UpdatesInsteadOfFailing()
    {
        var name = NodeTestSupport.NewNodeName();
        var info = NodeTestSupport.ProbeThisMachine(name);
        using var client = NodeTestSupport.KubeletClient(fixture, name);
        var time = new FakeTimeProvider(Start);
        var first = await new NodeRegistrar(client, Options(name), info, "1.6.20", time).RegisterAsync(CancellationToken.None);

        // A restarted kubelet on an upgraded machine: a new boot, a newer runtime, a label someone removed.
        var node = await fixture.Admin.CoreV1.ReadNodeAsync(name);
        node.Metadata.Labels.Remove("kubernetes.io/os");
        node.Metadata.Labels["team"] = "blue";
        await fixture.Admin.CoreV1.ReplaceNodeAsync(node, name);
        time.Advance(TimeSpan.FromMinutes(3));
        var second = await new NodeRegistrar(client, Options(name), info with { BootId = "new-boot" }, "1.7.0", time)
            .RegisterAsync(CancellationToken.None);

        var stored = await fixture.Admin.CoreV1.ReadNodeAsync(name);
        Assert.Equal(first.Metadata.Uid, second.Metadata.Uid);
        Assert.Equal(first.Metadata.Uid, stored.Metadata.Uid);
        Assert.Equal("linux", stored.Metadata.Labels["kubernetes.io/os"]);
        Assert.Equal("blue", stored.Metadata.Labels["team"]);
        Assert.Equal("new-boot", stored.Status.NodeInfo.BootID);
        Assert.Equal("containerd://1.7.0", stored.Status.NodeInfo.ContainerRuntimeVersion);
        var ready = Assert.Single(stored.Status.Conditions, c => c.Type == "Ready");
        Assert.Equal(Start.UtcDateTime.AddMinutes(3), ready.LastHeartbeatTime);
    }

    [Fact]
    public async Task UpdateStatus_AdvancesHeartbeat_KeepsTransitionTime()
    {
        var name = NodeTestSupport.NewNodeName();
        using var client = NodeTestSupport.KubeletClient(fixture, name);
        var time = new FakeTimeProvider(Start);
        var registrar = new NodeRegistrar(client, Options(name), NodeTestSupport.ProbeThisMachine(name), "1.6.20", time);
        await registrar.RegisterAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(10));
        var updated = await registrar.UpdateStatusAsync(CancellationToken.None);

        var ready = Assert.Single(updated.Status.Conditions, c => c.Type == "Ready");
        Assert.Equal(Start.UtcDateTime.AddSeconds(10), ready.LastHeartbeatTime);
        Assert.Equal(Start.UtcDateTime, ready.LastTransitionTime);
    }

    [Fact]
    public async Task Run_RegistersAndPostsStatusEveryPeriod()
    {
        var name = NodeTestSupport.NewNodeName();
        using var client = NodeTestSupport.KubeletClient(fixture, name);
        var time = new FakeTimeProvider(Start);
        var options = Options(name) with { NodeStatusUpdateFrequency = TimeSpan.FromSeconds(10) };
        var registrar = new NodeRegistrar(client, options, NodeTestSupport.ProbeThisMachine(name), "1.6.20", time);
        using var stop = new CancellationTokenSource();
        var run = registrar.RunAsync(stop.Token);

        await NodeTestSupport.EventuallyAsync(async () => await HeartbeatAsync(name) == Start.UtcDateTime, TimeSpan.FromSeconds(10));
        await NodeTestSupport.EventuallyAsync(
            async () => await HeartbeatAsync(name) > Start.UtcDateTime, TimeSpan.FromSeconds(10), () => time.Advance(TimeSpan.FromSeconds(10)));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task Run_RuntimeNotReady_NodeNotReadyUntilItIs_ThenReadyWithoutWaitingAnInterval()
    {
        var name = NodeTestSupport.NewNodeName();
        using var client = NodeTestSupport.KubeletClient(fixture, name);
        const string problem = "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized";
        string? current = problem;
        // An interval far longer than the test: only the not-Ready fast path can post Ready in time.
        var options = Options(name) with { NodeStatusUpdateFrequency = TimeSpan.FromHours(1) };
        var registrar = new NodeRegistrar(
            client, options, NodeTestSupport.ProbeThisMachine(name), "1.6.20", TimeProvider.System, runtimeProblem: _ => Task.FromResult<string?>(Volatile.Read(ref current)));
        using var stop = new CancellationTokenSource();
        var run = registrar.RunAsync(stop.Token);

        await NodeTestSupport.EventuallyAsync(async () => (await ReadyAsync(name))?.Status == "False", TimeSpan.FromSeconds(10));
        var notReady = (await ReadyAsync(name))!;
        Assert.Equal(("KubeletNotReady", problem), (notReady.Reason, notReady.Message));

        Volatile.Write(ref current, null);
        await NodeTestSupport.EventuallyAsync(async () => (await ReadyAsync(name))?.Status == "True", TimeSpan.FromSeconds(10));
        var ready = (await ReadyAsync(name))!;
        Assert.Equal(("KubeletReady", "kubelet is posting ready status"), (ready.Reason, ready.Message));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    private async Task<V1NodeCondition?> ReadyAsync(string name)
    {
        try
        {
            var node = await fixture.Admin.CoreV1.ReadNodeAsync(name);
            return node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        }
        catch (k8s.Autorest.HttpOperationException)
        {
            return null;
        }
    }

    private async Task<DateTime?> HeartbeatAsync(string name)
    {
        try
        {
            var node = await fixture.Admin.CoreV1.ReadNodeAsync(name);
            return node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.LastHeartbeatTime;
        }
        catch (k8s.Autorest.HttpOperationException)
        {
            return null;
        }
    }
}
