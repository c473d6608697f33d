using k8s.Models;

namespace Navarch.Client.Events;

/// <summary>An event recorded by a caller and not yet written; the time is when it was recorded.</summary>
internal sealed record PendingEvent(V1ObjectReference InvolvedObject, string Type, string Reason, string Message, DateTimeOffset Timestamp);
