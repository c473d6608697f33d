using k8s.Models;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>What the garbage collector hears from every monitored resource's informer.</summary>
internal interface IGraphEvents
{
    void OnAdd(MonitoredResource resource, V1ObjectMeta metadata);

    void OnUpdate(MonitoredResource resource, V1ObjectMeta old, V1ObjectMeta current);

    void OnDelete(MonitoredResource resource, V1ObjectMeta metadata);
}
