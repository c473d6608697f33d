using System.Collections.Concurrent;
using System.Globalization;
using k8s;
using k8s.Models;
using Navarch.Client.Events;

namespace Navarch.Kubelet.Tests.Images;

/// <summary>Keeps the events a component records, for assertions.</summary>
internal sealed class RecordingEvents : IEventRecorder
{
    public ConcurrentQueue<(string Type, string Reason, string Message)> Events { get; } = new();

    public void Event(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string message) =>
        Events.Enqueue((type, reason, message));

    public void Eventf(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string messageFormat, params object?[] args) =>
        Event(regarding, type, reason, string.Format(CultureInfo.InvariantCulture, messageFormat, args));
}
