using k8s;
using Navarch.Client;
using Navarch.Kubelet.Node;

namespace Navarch.Kubelet.Tests.Node;

internal static class NodeTestSupport
{
    public static string NewNodeName() => "node-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A client with the kubelet's identity, as the agent gives it.</summary>
    public static IKubernetes KubeletClient(NodeApiFixture fixture, string nodeName) =>
        fixture.ClientFor("system:node:" + nodeName)(ClientRateLimit.Unlimited);

    public static NodeInfo ProbeThisMachine(string nodeName) =>
        new NodeInfoProbe().Probe(Path.GetTempPath(), nodeName);

    /// <summary>Polls until <paramref name="condition"/> holds or fails the test after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, Action? eachRound = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met before the deadline");
            eachRound?.Invoke();
            await Task.Delay(50);
        }
    }
}
