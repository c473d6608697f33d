using System.Diagnostics.CodeAnalysis;
using k8s;
using k8s.Models;
using Navarch.Client.Events;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>Drops events; for a runner used without an API server (tests, tools).</summary>
internal sealed class NullEventRecorder : IEventRecorder
{
    public static NullEventRecorder Instance { get; } = new();

    public void Event(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string message)
    {
    }

    public void Eventf(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, [StringSyntax(StringSyntaxAttribute.CompositeFormat)] string messageFormat, params object?[] args)
    {
    }
}
