namespace Navarch.Controllers.GarbageCollector;

/// <summary>
/// UIDs of owners known to be gone, so the many dependents of one deleted owner cost one lookup, not one each, as
/// Kubernetes' absentOwnerCache. Bounded: the oldest entry goes first. UIDs are never reused, so an entry never lies.
/// </summary>
internal sealed class AbsentOwnerCache(int capacity)
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _uids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public bool Contains(string uid)
    {
        lock (_lock) return _uids.Contains(uid);
    }

    public void Add(string uid)
    {
        lock (_lock)
        {
            if (!_uids.Add(uid)) return;
            _order.Enqueue(uid);
            while (_order.Count > capacity)
            {
                _uids.Remove(_order.Dequeue());
            }
        }
    }
}
