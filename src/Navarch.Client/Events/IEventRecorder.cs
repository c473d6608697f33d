using System.Diagnostics.CodeAnalysis;
using k8s;
using k8s.Models;

namespace Navarch.Client.Events;

/// <summary>
/// Records core/v1 Events about objects, as client-go's <c>record.EventRecorder</c>. Calls never block and never throw
/// for API trouble: events are written in the background and dropped (with a log line) when the backlog is full.
/// </summary>
public interface IEventRecorder
{
    /// <summary>Records an event about <paramref name="regarding"/>; <paramref name="type"/> is <see cref="EventTypes.Normal"/> or <see cref="EventTypes.Warning"/>.</summary>
    void Event(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string message);

    /// <summary>
    /// As <see cref="Event"/>, about a part of <paramref name="regarding"/> named by <paramref name="fieldPath"/> (a
    /// container: <c>spec.containers{name}</c>), which <c>kubectl get events -o wide</c> shows as SUBOBJECT.
    /// </summary>
    void Event(IKubernetesObject<V1ObjectMeta> regarding, string fieldPath, string type, string reason, string message) =>
        Event(regarding, type, reason, message);

    /// <summary>As <see cref="Event"/>, with the message formatted (invariant culture) from a .NET composite format.</summary>
    void Eventf(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, [StringSyntax(StringSyntaxAttribute.CompositeFormat)] string messageFormat, params object?[] args);
}
