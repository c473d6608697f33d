namespace Navarch.Kubelet.Images;

/// <summary>
/// Per-key pull back-off, as the kubelet's <c>flowcontrol.Backoff</c> for image pulls: after a failure the key is in
/// back-off for <see cref="Initial"/>, doubling with each failure up to <see cref="Max"/>; an entry untouched for twice
/// <see cref="Max"/> starts again from <see cref="Initial"/>. Thread-safe: pod workers share one puller.
/// </summary>
internal sealed class ImagePullBackOff(TimeProvider time)
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, (TimeSpan Delay, DateTimeOffset LastFailure, string Message)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The last failure's message while <paramref name="key"/> is in back-off, else null.</summary>
    public string? InBackOff(string key)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(key, out var entry) && time.GetUtcNow() - entry.LastFailure < entry.Delay ? entry.Message : null;
        }
    }

    /// <summary>Records a failure: the next attempt waits twice as long as the last (at most <see cref="Max"/>).</summary>
    public void Failed(string key, string message)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var delay = _entries.TryGetValue(key, out var entry) && now - entry.LastFailure <= 2 * Max
                ? TimeSpan.FromTicks(Math.Min(entry.Delay.Ticks * 2, Max.Ticks))
                : Initial;
            _entries[key] = (delay, now, message);
        }
    }

    public void Succeeded(string key)
    {
        lock (_lock)
        {
            _entries.Remove(key);
        }
    }
}
