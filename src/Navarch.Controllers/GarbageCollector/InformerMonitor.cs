using k8s;
using k8s.Models;
using Navarch.Client.Informers;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>A <see cref="MonitoredResource"/> backed by the shared informer of a typed model.</summary>
internal sealed class InformerMonitor<T> : MonitoredResource
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly SharedIndexInformer<T> _informer;
    private EventHandlerRegistration? _registration;

    public InformerMonitor(ApiResource resource, SharedIndexInformer<T> informer)
        : base(resource)
    {
        _informer = informer;
    }

    public override void Attach(IGraphEvents events) =>
        _registration = _informer.AddEventHandler(new ResourceEventHandler<T>(
            (obj, _) => events.OnAdd(this, obj.Metadata),
            (old, current) => events.OnUpdate(this, old.Metadata, current.Metadata),
            (obj, _) => events.OnDelete(this, obj.Metadata)));

    public override V1ObjectMeta? Get(string? ns, string name) => _informer.Indexer.Get(ObjectKeys.Key(ns, name))?.Metadata;

    public override void Dispose() => _registration?.Dispose();
}
