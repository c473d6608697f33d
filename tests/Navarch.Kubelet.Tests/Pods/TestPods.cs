using k8s.Models;

namespace Navarch.Kubelet.Tests.Pods;

/// <summary>Pods for the tests: host-network (no CNI needed), busybox, a fresh UID each.</summary>
internal static class TestPods
{
    public static V1Pod New(string name, string restartPolicy, params V1Container[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = Guid.NewGuid().ToString(), Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1PodSpec { HostNetwork = true, NodeName = "node-1", RestartPolicy = restartPolicy, Containers = containers },
    };

    /// <summary>busybox with IfNotPresent: the image is imported, and there is no registry to pull <c>:latest</c> from.</summary>
    public static V1Container Busybox(string name, params string[] command) =>
        new() { Name = name, Image = "busybox", ImagePullPolicy = "IfNotPresent", Command = command };

    public static V1Probe Exec(params string[] command) => new()
    {
        Exec = new V1ExecAction { Command = command },
        PeriodSeconds = 1,
        FailureThreshold = 1,
    };
}
