using k8s;
using k8s.Models;
using Navarch.Kubelet.Node;

namespace Navarch.Kubelet.Tests.Node;

[Collection(NodeApiCollection.Name)]
public sealed class CniConfigFromNodeTests(NodeApiFixture fixture) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "navarch-cni-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Run_WritesConfigOnceTheNodeHasAPodCidr()
    {
        var name = NodeTestSupport.NewNodeName();
        using var client = NodeTestSupport.KubeletClient(fixture, name);
        await new NodeRegistrar(client, new NodeOptions { NodeName = name }, NodeTestSupport.ProbeThisMachine(name), "1.6.20", TimeProvider.System)
            .RegisterAsync(CancellationToken.None);
        var ipamDir = Path.Combine(_dir, "networks");
        var writer = new CniConfigWriter(Path.Combine(_dir, "net.d"), ipamDir);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var run = writer.RunAsync(client, name, TimeSpan.FromMilliseconds(50), TimeProvider.System, timeout.Token);
        await Task.Delay(300);
        Assert.False(run.IsCompleted);
        Assert.False(File.Exists(writer.ConfigPath));

        var patch = new V1Patch("{\"spec\":{\"podCIDR\":\"10.42.5.0/24\",\"podCIDRs\":[\"10.42.5.0/24\"]}}", V1Patch.PatchType.MergePatch);
        await fixture.Admin.CoreV1.PatchNodeAsync(patch, name);

        Assert.Equal("10.42.5.0/24", await run);
        CniConfigWriterTests.AssertExpectedConfig(await File.ReadAllTextAsync(writer.ConfigPath), "10.42.5.0/24", ipamDir);
    }
}
