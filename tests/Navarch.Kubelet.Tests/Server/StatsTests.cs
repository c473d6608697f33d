using System.Text.Json;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Tests.Server;

/// <summary><c>/stats/summary</c> and <c>/metrics</c> with a running pod in a real containerd.</summary>
[Collection(ContainerdCollection.Name)]
public sealed class StatsTests(ContainerdFixture fixture) : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private KubeletApi? _api;
    private TestPod? _pod;

    private KubeletApi Api => _api ?? throw new InvalidOperationException("not started");

    private TestPod Pod => _pod ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _api = await KubeletApi.StartAsync(fixture.Cri);
        _pod = await TestPod.RunAsync(fixture, "stats-" + Guid.NewGuid().ToString("N")[..8], _timeout.Token);
        var id = await _pod.StartContainerAsync("app", 0, _timeout.Token, "sleep", "600");
        await _pod.WaitForStateAsync(id, ContainerState.ContainerRunning, _timeout.Token);
    }

    [Fact(Timeout = 30_000)]
    public async Task StatsSummary_ListsNodeAndRunningPodWithContainerUsage()
    {
        var json = await Api.ApiServerClient().GetStringAsync("/stats/summary", _timeout.Token);

        var summary = JsonDocument.Parse(json).RootElement;
        var node = summary.GetProperty("node");
        Assert.Equal(KubeletApi.NodeName, node.GetProperty("nodeName").GetString());
        Assert.True(node.GetProperty("memory").GetProperty("workingSetBytes").GetUInt64() > 0);
        Assert.True(node.GetProperty("cpu").GetProperty("usageCoreNanoSeconds").GetUInt64() > 0);
        var pod = Assert.Single(summary.GetProperty("pods").EnumerateArray(), p => p.GetProperty("podRef").GetProperty("name").GetString() == Pod.Name);
        Assert.Equal(Pod.Namespace, pod.GetProperty("podRef").GetProperty("namespace").GetString());
        Assert.Equal(Pod.Config.Metadata.Uid, pod.GetProperty("podRef").GetProperty("uid").GetString());
        var container = Assert.Single(pod.GetProperty("containers").EnumerateArray());
        Assert.Equal("app", container.GetProperty("name").GetString());
        Assert.True(container.GetProperty("memory").GetProperty("workingSetBytes").GetUInt64() > 0);
        Assert.True(container.GetProperty("cpu").TryGetProperty("usageCoreNanoSeconds", out _));
    }

    [Fact(Timeout = 30_000)]
    public async Task Metrics_ReportRunningPodsAndContainersAndNodeName()
    {
        var text = await Api.ApiServerClient().GetStringAsync("/metrics", _timeout.Token);

        Assert.True(text.Contains($"kubelet_node_name{{node=\"{KubeletApi.NodeName}\"}} 1\n", StringComparison.Ordinal), text);
        Assert.Matches(@"(?m)^kubelet_running_pods [1-9]\d*$", text);
        Assert.Matches(@"(?m)^kubelet_running_containers\{container_state=""running""\} [1-9]\d*$", text);
    }

    public async Task DisposeAsync()
    {
        if (_pod is not null) await _pod.RemoveAsync();
        if (_api is not null) await _api.DisposeAsync();
        _timeout.Dispose();
    }
}
