namespace Navarch.Client.Informers;

/// <summary>
/// Receives an informer's notifications, as client-go's <c>ResourceEventHandler</c>. Calls for one handler arrive
/// one at a time in the order the informer saw the changes; keep them short (enqueue a key, update a cache).
/// </summary>
public interface IResourceEventHandler<in T>
{
    /// <summary>An object appeared; <paramref name="isInInitialList"/> is true for objects of the informer's first list.</summary>
    void OnAdd(T obj, bool isInInitialList);

    /// <summary>An object changed (or a periodic resync re-delivers it, then <paramref name="oldObj"/> and <paramref name="newObj"/> are the same).</summary>
    void OnUpdate(T oldObj, T newObj);

    /// <summary>
    /// An object went away. <paramref name="finalStateUnknown"/> is true when the informer missed the delete (it found
    /// the object gone on a relist) and <paramref name="obj"/> is the last state it knew, as client-go's
    /// <c>DeletedFinalStateUnknown</c>.
    /// </summary>
    void OnDelete(T obj, bool finalStateUnknown);
}
