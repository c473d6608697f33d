namespace Navarch.Client;

/// <summary>Marker for the client machinery assembly (informers, work queues, leader election, events).</summary>
public static class ClientAssembly
{
}
