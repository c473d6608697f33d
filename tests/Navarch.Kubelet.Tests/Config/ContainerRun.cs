using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Tests.Config;

/// <summary>Runs one container of a pod, configured by <see cref="ContainerConfigBuilder"/>, to its exit in a fresh host-network sandbox.</summary>
internal static class ContainerRun
{
    public static async Task<(ContainerStatus Status, List<string> Log)> ToExitAsync(
        ContainerdFixture containerd, V1Pod pod, V1Container container, ContainerInputs inputs, CancellationToken cancellationToken)
    {
        var sandboxConfig = containerd.NewSandboxConfig(pod.Metadata.Name);
        var sandboxId = await containerd.Cri.RunPodSandboxAsync(sandboxConfig, string.Empty, cancellationToken);
        try
        {
            var config = new ContainerConfigBuilder().Build(pod, container, 0, PodNetworkInfo.None, inputs);
            Directory.CreateDirectory(Path.Combine(sandboxConfig.LogDirectory, container.Name));
            var id = await containerd.Cri.CreateContainerAsync(sandboxId, config, sandboxConfig, cancellationToken);
            await containerd.Cri.StartContainerAsync(id, cancellationToken);
            while (true)
            {
                var status = (await containerd.Cri.ContainerStatusAsync(id, verbose: false, cancellationToken)).Status;
                if (status.State == ContainerState.ContainerExited)
                {
                    var lines = await File.ReadAllLinesAsync(Path.Combine(sandboxConfig.LogDirectory, config.LogPath), cancellationToken);
                    // CRI log lines: "<time> <stream> <tag> <content>".
                    return (status, [.. lines.Select(line => line.Split(' ', 4) is { Length: 4 } parts ? parts[3] : string.Empty)]);
                }

                await Task.Delay(50, cancellationToken);
            }
        }
        finally
        {
            await containerd.RemoveSandboxAsync(sandboxId);
        }
    }
}
