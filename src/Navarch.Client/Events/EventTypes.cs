namespace Navarch.Client.Events;

/// <summary>The two event types Kubernetes accepts (core/v1 <c>Event.type</c>).</summary>
public static class EventTypes
{
    public const string Normal = "Normal";

    public const string Warning = "Warning";
}
