namespace Navarch.Controllers.GarbageCollector;

/// <summary>
/// The reverse of ownerReferences: for each owner UID, the objects that name it as an owner. Kept from informer
/// events; an owner need not exist (a dangling reference is exactly what the collector looks for). Safe for
/// concurrent use.
/// </summary>
internal sealed class DependencyGraph
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<ObjectRef>> _dependents = new(StringComparer.Ordinal);

    /// <summary>How many owner UIDs have at least one dependent.</summary>
    public int OwnerCount
    {
        get
        {
            lock (_lock) return _dependents.Count;
        }
    }

    public void Add(string ownerUid, ObjectRef dependent)
    {
        lock (_lock)
        {
            if (!_dependents.TryGetValue(ownerUid, out var set))
            {
                set = [];
                _dependents.Add(ownerUid, set);
            }

            set.Add(dependent);
        }
    }

    public void Remove(string ownerUid, ObjectRef dependent)
    {
        lock (_lock)
        {
            if (_dependents.TryGetValue(ownerUid, out var set) && set.Remove(dependent) && set.Count == 0)
            {
                _dependents.Remove(ownerUid);
            }
        }
    }

    /// <summary>A snapshot of the dependents of <paramref name="ownerUid"/>.</summary>
    public ObjectRef[] DependentsOf(string ownerUid)
    {
        lock (_lock)
        {
            return _dependents.TryGetValue(ownerUid, out var set) ? [.. set] : [];
        }
    }
}
