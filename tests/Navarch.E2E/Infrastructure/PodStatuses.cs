using System.Globalization;
using k8s.Models;

namespace Navarch.E2E.Infrastructure;

/// <summary>The pod status a kubelet posts once a pod's containers run, for the E2E tests' fake kubelets (merge-patch bodies).</summary>
internal static class PodStatuses
{
    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>Running and Ready, every container started, with <paramref name="ip"/> as the pod IP.</summary>
    public static Dictionary<string, object?> Running(V1Pod pod, string ip, string hostIp, string now) => new()
    {
        ["phase"] = "Running",
        ["hostIP"] = hostIp,
        ["podIP"] = ip,
        ["podIPs"] = new[] { new Dictionary<string, string> { ["ip"] = ip } },
        ["startTime"] = now,
        ["conditions"] = new[] { "PodScheduled", "Initialized", "ContainersReady", "Ready" }
            .Select(t => new Dictionary<string, object?> { ["type"] = t, ["status"] = "True", ["lastTransitionTime"] = now }).ToArray(),
        ["containerStatuses"] = pod.Spec.Containers.Select(c => new Dictionary<string, object?>
        {
            ["name"] = c.Name,
            ["image"] = c.Image,
            ["imageID"] = "",
            ["ready"] = true,
            ["restartCount"] = 0,
            ["started"] = true,
            ["state"] = new Dictionary<string, object?> { ["running"] = new Dictionary<string, object?> { ["startedAt"] = now } },
        }).ToArray(),
    };
}
