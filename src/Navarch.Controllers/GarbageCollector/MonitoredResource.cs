using k8s.Models;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>One resource the garbage collector watches through a shared informer, and reads from its cache.</summary>
internal abstract class MonitoredResource(ApiResource resource) : IDisposable
{
    public ApiResource Resource { get; } = resource;

    /// <summary>The cached metadata of an object (shared with the informer: never modify it).</summary>
    public abstract V1ObjectMeta? Get(string? ns, string name);

    /// <summary>Starts delivering the informer's events (first a replay of its cache) to <paramref name="events"/>.</summary>
    public abstract void Attach(IGraphEvents events);

    public abstract void Dispose();
}
