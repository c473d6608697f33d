using System.Collections.Concurrent;

namespace Navarch.Controllers.Framework;

/// <summary>
/// Creates and deletes a controller has asked for but not yet seen in its informer, per controller key, as
/// Kubernetes' ControllerExpectations: a sync waits until they are observed (or expire after 5 minutes) so it
/// never acts twice on a stale cache, e.g. creating pods again while its own creates are still in flight.
/// </summary>
public sealed class ControllerExpectations(TimeProvider time)
{
    /// <summary>How long expectations hold before a sync goes ahead anyway (ExpectationsTimeout).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>True when nothing is pending for <paramref name="key"/> (or what is pending has expired).</summary>
    public bool Satisfied(string key)
    {
        if (!_entries.TryGetValue(key, out var entry)) return true;
        return entry.Fulfilled || time.GetUtcNow() - entry.SetAt > Timeout;
    }

    public void ExpectCreations(string key, int adds) => Set(key, adds, 0);

    public void ExpectDeletions(string key, int deletes) => Set(key, 0, deletes);

    public void CreationObserved(string key) => Lower(key, 1, 0);

    public void DeletionObserved(string key) => Lower(key, 0, 1);

    /// <summary>Called when a create failed (or was skipped): the controller will not see it.</summary>
    public void CreationSkipped(string key) => Lower(key, 1, 0);

    public void DeletionSkipped(string key) => Lower(key, 0, 1);

    public void Delete(string key) => _entries.TryRemove(key, out _);

    private void Set(string key, int adds, int deletes) => _entries[key] = new Entry(adds, deletes, time.GetUtcNow());

    private void Lower(string key, int adds, int deletes)
    {
        if (_entries.TryGetValue(key, out var entry)) entry.Lower(adds, deletes);
    }

    private sealed class Entry(int adds, int deletes, DateTimeOffset setAt)
    {
        private int _adds = adds;
        private int _deletes = deletes;

        public DateTimeOffset SetAt { get; } = setAt;

        public bool Fulfilled => Volatile.Read(ref _adds) <= 0 && Volatile.Read(ref _deletes) <= 0;

        public void Lower(int adds, int deletes)
        {
            Interlocked.Add(ref _adds, -adds);
            Interlocked.Add(ref _deletes, -deletes);
        }
    }
}
