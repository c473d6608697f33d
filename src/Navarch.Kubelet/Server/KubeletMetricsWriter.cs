using System.Globalization;
using System.Text;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Server;

/// <summary>
/// <c>GET /metrics</c>: a few of the kubelet's own series in the Prometheus text format, with the kubelet's names
/// (<c>kubelet_running_pods</c>, <c>kubelet_running_containers{container_state}</c>, <c>kubelet_node_name{node}</c>).
/// </summary>
internal sealed class KubeletMetricsWriter(CriClient cri, string nodeName)
{
    public async Task<string> RenderAsync(CancellationToken cancellationToken)
    {
        var sandboxes = await cri.ListPodSandboxAsync(
            new PodSandboxFilter { State = new PodSandboxStateValue { State = PodSandboxState.SandboxReady } }, cancellationToken).ConfigureAwait(false);
        var containers = await cri.ListContainersAsync(null, cancellationToken).ConfigureAwait(false);
        var byState = new SortedDictionary<string, int>(StringComparer.Ordinal) { ["created"] = 0, ["exited"] = 0, ["running"] = 0, ["unknown"] = 0 };
        foreach (var container in containers)
        {
            var state = container.State switch
            {
                ContainerState.ContainerCreated => "created",
                ContainerState.ContainerRunning => "running",
                ContainerState.ContainerExited => "exited",
                _ => "unknown",
            };
            byState[state]++;
        }

        var text = new StringBuilder();
        text.Append("# HELP kubelet_node_name [ALPHA] The node's name. The count is always 1.\n");
        text.Append("# TYPE kubelet_node_name gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"kubelet_node_name{{node=\"{Escape(nodeName)}\"}} 1\n");
        text.Append("# HELP kubelet_running_pods [ALPHA] Number of pods that have a running pod sandbox\n");
        text.Append("# TYPE kubelet_running_pods gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"kubelet_running_pods {sandboxes.Count}\n");
        text.Append("# HELP kubelet_running_containers [ALPHA] Number of containers currently running\n");
        text.Append("# TYPE kubelet_running_containers gauge\n");
        foreach (var (state, count) in byState)
        {
            text.Append(CultureInfo.InvariantCulture, $"kubelet_running_containers{{container_state=\"{state}\"}} {count}\n");
        }

        return text.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
