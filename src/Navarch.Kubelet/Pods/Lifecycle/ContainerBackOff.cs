namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>
/// The restart back-off of a pod's containers, as the kubelet's <c>flowcontrol.Backoff</c> keyed per container: the
/// first restart after an exit is immediate, each later one waits 10 s doubling up to 5 min, and an entry whose last
/// exit is more than twice the maximum (10 min) old starts over, so a container that ran fine that long restarts fast.
/// </summary>
public sealed class ContainerBackOff(TimeProvider time)
{
    /// <summary>The kubelet's initial container restart back-off.</summary>
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(10);

    /// <summary>The kubelet's MaxContainerBackOff.</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromMinutes(5);

    private readonly TimeSpan _initial = Initial;
    private readonly TimeSpan _maximum = Maximum;
    private readonly Dictionary<string, (TimeSpan BackOff, DateTimeOffset LastUpdate)> _entries = [];
    private readonly Lock _lock = new();

    /// <summary>The current back-off of <paramref name="key"/>, zero when it has none.</summary>
    public TimeSpan Get(string key)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(key, out var entry) ? entry.BackOff : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// True while a restart for an exit at <paramref name="exitedAt"/> must still wait, as <c>IsInBackOffSince</c>:
    /// the entry is live and less than its back-off has passed since the exit.
    /// </summary>
    public bool IsInBackOffSince(string key, DateTimeOffset exitedAt)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                return false;
            }

            var now = time.GetUtcNow();
            if (HasExpired(now, entry.LastUpdate))
            {
                return false;
            }

            return now - exitedAt < entry.BackOff;
        }
    }

    /// <summary>When the back-off for an exit at <paramref name="exitedAt"/> ends (for waking the pod's sync then).</summary>
    public DateTimeOffset RetryAt(string key, DateTimeOffset exitedAt) => exitedAt + Get(key);

    /// <summary>Records a restart for an exit at <paramref name="exitedAt"/>: the back-off starts at the initial value or doubles.</summary>
    public void Next(string key, DateTimeOffset exitedAt)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry) || HasExpired(exitedAt, entry.LastUpdate))
            {
                _entries[key] = (_initial, exitedAt);
                return;
            }

            var doubled = entry.BackOff * 2;
            _entries[key] = (doubled > _maximum ? _maximum : doubled, exitedAt);
        }
    }

    /// <summary>Forgets a container (removed from the spec, or its pod is gone).</summary>
    public void Reset(string key)
    {
        lock (_lock)
        {
            _entries.Remove(key);
        }
    }

    private bool HasExpired(DateTimeOffset at, DateTimeOffset lastUpdate) => at - lastUpdate > _maximum * 2;
}
