using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Navarch.Client.Informers;

namespace Navarch.Client.Tests.Support;

/// <summary>Records every notification as text (<c>add ns/name</c>, <c>update ns/name</c>, <c>delete ns/name</c>, <c>tombstone ns/name</c>).</summary>
public sealed class RecordingHandler<T> : IResourceEventHandler<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentQueue<string> _events = new();

    public IReadOnlyList<string> Events => [.. _events];

    public int InitialAdds;

    public void OnAdd(T obj, bool isInInitialList)
    {
        if (isInInitialList)
        {
            Interlocked.Increment(ref InitialAdds);
        }

        _events.Enqueue("add " + ObjectKeys.KeyOf(obj));
    }

    public void OnUpdate(T oldObj, T newObj) => _events.Enqueue("update " + ObjectKeys.KeyOf(newObj));

    public void OnDelete(T obj, bool finalStateUnknown) => _events.Enqueue((finalStateUnknown ? "tombstone " : "delete ") + ObjectKeys.KeyOf(obj));

    public bool Saw(string e) => _events.Contains(e);
}
