using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using k8s;
using k8s.Models;
using Navarch.Client.Events;

namespace Navarch.Kubelet.Tests.Lifecycle;

/// <summary>Keeps the events a runner records, for asserting reasons and messages.</summary>
internal sealed class RecordingEvents : IEventRecorder
{
    private readonly ConcurrentQueue<(string Type, string Reason, string Message)> _events = new();

    public IReadOnlyList<(string Type, string Reason, string Message)> All => _events.ToArray();

    public void Event(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string message) =>
        _events.Enqueue((type, reason, message));

    public void Eventf(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, [StringSyntax(StringSyntaxAttribute.CompositeFormat)] string messageFormat, params object?[] args) =>
        Event(regarding, type, reason, string.Format(CultureInfo.InvariantCulture, messageFormat, args));

    public bool Has(string reason, string message) => _events.Any(e => e.Reason == reason && e.Message == message);
}
