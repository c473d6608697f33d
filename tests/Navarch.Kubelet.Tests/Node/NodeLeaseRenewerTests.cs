using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Kubelet.Node;

namespace Navarch.Kubelet.Tests.Node;

[Collection(NodeApiCollection.Name)]
public sealed class NodeLeaseRenewerTests(NodeApiFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private async Task<V1Node> RegisterAsync(IKubernetes client, string name, TimeProvider time) =>
        await new NodeRegistrar(client, new NodeOptions { NodeName = name }, NodeTestSupport.ProbeThisMachine(name), "1.6.20", time)
            .RegisterAsync(CancellationToken.None);

    [Fact]
    public async Task Renew_CreatesLeaseOwnedByTheNode_ThenMovesRenewTime()
    {
        var name = NodeTestSupport.NewNodeName();
        using var client = NodeTestSupport.KubeletClient(fixture, name);
        var time = new FakeTimeProvider(Start);
        var node = await RegisterAsync(client, name, time);
        var renewer = new NodeLeaseRenewer(client, new NodeOptions { NodeName = name }, time);

        await renewer.RenewAsync(CancellationToken.None);

        var lease = await fixture.Admin.CoordinationV1.ReadNamespacedLeaseAsync(name, "kube-node-lease");
        Assert.Equal(name, lease.Spec.HolderIdentity);
        Assert.Equal(40, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(Start.UtcDateTime, lease.Spec.RenewTime);
        var owner = Assert.Single(lease.Metadata.OwnerReferences);
        Assert.Equal(("v1", "Node", name, node.Metadata.Uid), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid));

        time.Advance(TimeSpan.FromSeconds(10));
        await renewer.RenewAsync(CancellationToken.None);

        var renewed = await fixture.Admin.CoordinationV1.ReadNamespacedLeaseAsync(name, "kube-node-lease");
        Assert.Equal(Start.UtcDateTime.AddSeconds(10), renewed.Spec.RenewTime);
        Assert.Equal(lease.Metadata.Uid, renewed.Metadata.Uid);
    }

    [Fact]
    public async Task Renew_BeforeRegistration_AddsOwnerOnceNodeExists()
    {
        var name = NodeTestSupport.NewNodeName();
        using var client = NodeTestSupport.KubeletClient(fixture, name);
        var time = new FakeTimeProvider(Start);
        var renewer = new NodeLeaseRenewer(client, new NodeOptions { NodeName = name }, time);

        var orphan = await renewer.RenewAsync(CancellationToken.None);
        Assert.Null(orphan.Metadata.OwnerReferences);
        var node = await RegisterAsync(client, name, time);
        var owned = await renewer.RenewAsync(CancellationToken.None);

        Assert.Equal(node.Metadata.Uid, Assert.Single(owned.Metadata.OwnerReferences).Uid);
    }

    [Fact]
    public async Task Run_RenewsEveryInterval()
    {
        var name = NodeTestSupport.NewNodeName();
        using var client = NodeTestSupport.KubeletClient(fixture, name);
        var time = new FakeTimeProvider(Start);
        await RegisterAsync(client, name, time);
        var options = new NodeOptions { NodeName = name, LeaseRenewInterval = TimeSpan.FromSeconds(2) };
        using var stop = new CancellationTokenSource();
        var run = new NodeLeaseRenewer(client, options, time).RunAsync(stop.Token);

        await NodeTestSupport.EventuallyAsync(async () => await RenewTimeAsync(name) == Start.UtcDateTime, TimeSpan.FromSeconds(10));
        await NodeTestSupport.EventuallyAsync(
            async () => await RenewTimeAsync(name) >= Start.UtcDateTime.AddSeconds(4), TimeSpan.FromSeconds(10), () => time.Advance(TimeSpan.FromSeconds(2)));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    private async Task<DateTime?> RenewTimeAsync(string name)
    {
        try
        {
            return (await fixture.Admin.CoordinationV1.ReadNamespacedLeaseAsync(name, "kube-node-lease")).Spec.RenewTime;
        }
        catch (k8s.Autorest.HttpOperationException)
        {
            return null;
        }
    }
}
