using k8s.Models;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>A pod as kubelet messages name it (its <c>format.Pod</c>): <c>name_namespace(uid)</c>.</summary>
public static class PodFormat
{
    public static string Of(V1Pod pod)
    {
        var (name, ns, uid) = PodSandboxConfigBuilder.Identity(pod);
        return $"{name}_{ns}({uid})";
    }
}
