using System.Net;
using k8s;
using k8s.Models;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Hosting;
using Navarch.Controllers.NodeIpam;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.NodeIpam;

public sealed class NodeIpamControllerTests : IClassFixture<ControllerFixture>
{
    private readonly ControllerFixture _fixture;

    public NodeIpamControllerTests(ControllerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Nodes_GetDistinctBlocks_ReleasedOnDelete_AndFullRangeIsReported()
    {
        var client = _fixture.Admin;
        var prefix = "ipam-" + Guid.NewGuid().ToString("N")[..6];
        // A node that had a CIDR before the controller started: its block must never be handed out again.
        await client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = prefix + "-old" },
            Spec = new V1NodeSpec { PodCIDR = "10.99.0.0/24", PodCIDRs = ["10.99.0.0/24"] },
        });
        var host = await _fixture.StartAsync([NodeIpamController.Descriptor], new ControllerManagerHostOptions
        {
            LeaderElect = false,
            Controllers = new ControllerManagerOptions { ClusterCidr = "10.99.0.0/22", NodeCidrMaskSize = 24 },
        });
        try
        {
            var names = new[] { prefix + "-a", prefix + "-b", prefix + "-c" };
            foreach (var name in names)
            {
                await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name } });
            }

            var cidrs = new List<string>();
            foreach (var name in names)
            {
                var node = await Eventually.ValueAsync(() => client.CoreV1.ReadNodeAsync(name), n => n.Spec?.PodCIDR is not null, $"{name} gets a pod CIDR");
                Assert.Equal([node.Spec.PodCIDR], node.Spec.PodCIDRs);
                cidrs.Add(node.Spec.PodCIDR);
            }

            Assert.Equal(3, cidrs.Distinct().Count());
            Assert.DoesNotContain("10.99.0.0/24", cidrs);
            Assert.All(cidrs, c => Assert.True(IPNetwork.Parse("10.99.0.0/22").Contains(IPNetwork.Parse(c).BaseAddress)));

            // The range (four /24s) is full now: the next node waits, with an event and NetworkUnavailable.
            var waiting = prefix + "-d";
            await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = waiting } });
            var blocked = await Eventually.ValueAsync(
                () => client.CoreV1.ReadNodeAsync(waiting),
                n => n.Status?.Conditions?.Any(c => c.Type == "NetworkUnavailable" && c.Status == "True") == true,
                "the node without a CIDR is NetworkUnavailable");
            Assert.Null(blocked.Spec?.PodCIDR);
            await Eventually.TrueAsync(
                async () => (await client.CoreV1.ListEventForAllNamespacesAsync()).Items.Any(e => e.Reason == "CIDRNotAvailable" && e.InvolvedObject.Name == waiting),
                "a CIDRNotAvailable event");

            // Deleting a node frees its block for the waiting one.
            await client.CoreV1.DeleteNodeAsync(names[1]);
            var given = await Eventually.ValueAsync(() => client.CoreV1.ReadNodeAsync(waiting), n => n.Spec?.PodCIDR is not null, "the waiting node gets the freed CIDR");
            Assert.Equal(cidrs[1], given.Spec.PodCIDR);
            await Eventually.TrueAsync(
                async () => (await client.CoreV1.ReadNodeAsync(waiting)).Status?.Conditions?.Any(c => c.Type == "NetworkUnavailable" && c.Status == "True") != true,
                "NetworkUnavailable is cleared");
        }
        finally
        {
            await _fixture.StopAsync(host);
        }
    }
}
