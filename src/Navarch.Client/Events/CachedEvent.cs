namespace Navarch.Client.Events;

/// <summary>What the recorder remembers of an Event it wrote, to count repeats on it.</summary>
internal sealed record CachedEvent(string Name, string Namespace, int Count, DateTimeOffset LastTimestamp);
