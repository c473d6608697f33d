using System.Globalization;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Tests.Server;

/// <summary>A host-network sandbox labelled as the kubelet labels a pod's, for starting busybox containers in it.</summary>
public sealed class TestPod
{
    private TestPod(ContainerdFixture fixture, PodSandboxConfig config, string sandboxId)
    {
        Fixture = fixture;
        Config = config;
        SandboxId = sandboxId;
    }

    public ContainerdFixture Fixture { get; }

    public PodSandboxConfig Config { get; }

    public string SandboxId { get; }

    public string Namespace => Config.Metadata.Namespace;

    public string Name => Config.Metadata.Name;

    public static async Task<TestPod> RunAsync(ContainerdFixture fixture, string name, CancellationToken cancellationToken)
    {
        var config = fixture.NewSandboxConfig(name);
        config.Labels[KubernetesLabels.PodNamespace] = config.Metadata.Namespace;
        config.Labels[KubernetesLabels.PodName] = config.Metadata.Name;
        config.Labels[KubernetesLabels.PodUid] = config.Metadata.Uid;
        var id = await fixture.Cri.RunPodSandboxAsync(config, string.Empty, cancellationToken);
        return new TestPod(fixture, config, id);
    }

    /// <summary>Creates and starts attempt <paramref name="restartCount"/> of a container; its log is <c>&lt;name&gt;/&lt;restart&gt;.log</c>.</summary>
    public async Task<string> StartContainerAsync(string name, int restartCount, CancellationToken cancellationToken, params string[] command)
    {
        var config = ContainerdFixture.NewContainerConfig(Config, name, command);
        config.LogPath = ContainerConfigBuilder.LogPath(name, restartCount);
        config.Metadata.Attempt = (uint)restartCount;
        config.Labels[KubernetesLabels.PodNamespace] = Namespace;
        config.Labels[KubernetesLabels.PodName] = Name;
        config.Labels[KubernetesLabels.PodUid] = Config.Metadata.Uid;
        config.Labels[KubernetesLabels.ContainerName] = name;
        config.Annotations[KubernetesLabels.ContainerRestartCount] = restartCount.ToString(CultureInfo.InvariantCulture);
        var id = await Fixture.Cri.CreateContainerAsync(SandboxId, config, Config, cancellationToken);
        await Fixture.Cri.StartContainerAsync(id, cancellationToken);
        return id;
    }

    public async Task WaitForStateAsync(string containerId, ContainerState state, CancellationToken cancellationToken)
    {
        while ((await Fixture.Cri.ContainerStatusAsync(containerId, verbose: false, cancellationToken)).Status.State != state)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    public Task RemoveAsync() => Fixture.RemoveSandboxAsync(SandboxId);
}
