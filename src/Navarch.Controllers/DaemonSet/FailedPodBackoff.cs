using System.Collections.Concurrent;

namespace Navarch.Controllers.DaemonSet;

/// <summary>
/// Back-off for replacing failed daemon pods per DaemonSet and node, as the DaemonSet controller's
/// failedPodsBackoff (flowcontrol.Backoff, 1s doubling to 15m): a kubelet that keeps rejecting a daemon pod must
/// not make the controller delete and recreate it in a hot loop.
/// </summary>
internal sealed class FailedPodBackoff(TimeProvider time)
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, (TimeSpan Delay, DateTimeOffset LastUpdate)> _entries = new(StringComparer.Ordinal);

    /// <summary>True (with the remaining wait) when the last failure for <paramref name="key"/> was less than its delay ago.</summary>
    public bool InBackoff(string key, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (!_entries.TryGetValue(key, out var entry)) return false;
        var elapsed = time.GetUtcNow() - entry.LastUpdate;
        if (elapsed >= entry.Delay) return false;
        delay = entry.Delay - elapsed;
        return true;
    }

    /// <summary>Records a failure: the delay doubles (up to <see cref="Max"/>), or starts over after a long quiet time.</summary>
    public void Next(string key)
    {
        var now = time.GetUtcNow();
        _entries.AddOrUpdate(
            key,
            static (_, now) => (Initial, now),
            static (_, entry, now) => now - entry.LastUpdate > 2 * Max
                ? (Initial, now)
                : (TimeSpan.FromTicks(Math.Min(entry.Delay.Ticks * 2, Max.Ticks)), now),
            now);
    }

    /// <summary>Forgets every entry of a DaemonSet (its keys start with <paramref name="prefix"/>), e.g. once it is deleted.</summary>
    public void ForgetPrefix(string prefix)
    {
        foreach (var key in _entries.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal)) _entries.TryRemove(key, out _);
        }
    }
}
