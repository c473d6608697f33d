namespace Navarch.Controllers.ReplicaSet;

/// <summary>
/// Which pods a ReplicaSet asked to delete and has not yet seen go, as Kubernetes' UIDTrackingControllerExpectations:
/// a pod is seen twice on its way out (deletionTimestamp set, then removed), and only the first sighting of a pod we
/// deleted may lower the deletion expectations, or a second delete would be mistaken for another pod's.
/// </summary>
internal sealed class DeletionTracker
{
    private readonly Dictionary<string, HashSet<string>> _pending = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Records <paramref name="podKeys"/> as the deletions <paramref name="ownerKey"/> waits for, replacing earlier ones.</summary>
    public void Expect(string ownerKey, IEnumerable<string> podKeys)
    {
        lock (_lock) _pending[ownerKey] = new HashSet<string>(podKeys, StringComparer.Ordinal);
    }

    /// <summary>True (once) when <paramref name="podKey"/> was a deletion <paramref name="ownerKey"/> waited for.</summary>
    public bool Observe(string ownerKey, string podKey)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(ownerKey, out var keys) || !keys.Remove(podKey)) return false;
            if (keys.Count == 0) _pending.Remove(ownerKey);
            return true;
        }
    }

    public void Forget(string ownerKey)
    {
        lock (_lock) _pending.Remove(ownerKey);
    }
}
