using k8s.Models;

namespace Navarch.Controllers.EndpointSlice;

/// <summary>
/// The slices this controller wrote but its informer may not show yet, per service, as upstream's
/// endpointSliceTracker: a sync that would read a stale cache waits instead, so it never creates a second set of
/// slices for endpoints it already placed. Entries expire, so a lost event cannot block a service for ever.
/// </summary>
internal sealed class SliceTracker(TimeProvider time)
{
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(30);
    private const long Deleted = -1;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, (long Generation, DateTimeOffset At)>> _expected = new(StringComparer.Ordinal);

    public void Written(string serviceKey, V1EndpointSlice slice) => Set(serviceKey, slice.Metadata.Uid, slice.Metadata.Generation ?? 1);

    public void Deleting(string serviceKey, V1EndpointSlice slice) => Set(serviceKey, slice.Metadata.Uid, Deleted);

    public void Forget(string serviceKey)
    {
        lock (_lock) _expected.Remove(serviceKey);
    }

    /// <summary>True when the cached slices of the service reflect every write this controller made.</summary>
    public bool UpToDate(string serviceKey, IReadOnlyList<V1EndpointSlice> cached)
    {
        lock (_lock)
        {
            if (!_expected.TryGetValue(serviceKey, out var expected)) return true;
            var now = time.GetUtcNow();
            var byUid = new Dictionary<string, V1EndpointSlice>(cached.Count, StringComparer.Ordinal);
            foreach (var slice in cached)
            {
                if (slice.Metadata.Uid is { } uid) byUid[uid] = slice;
            }

            var upToDate = true;
            foreach (var (uid, (generation, at)) in expected.ToArray())
            {
                var seen = byUid.TryGetValue(uid, out var slice);
                var satisfied = generation == Deleted ? !seen : seen && (slice!.Metadata.Generation ?? 0) >= generation;
                if (satisfied || now - at > Expiry) expected.Remove(uid);
                else upToDate = false;
            }

            if (expected.Count == 0) _expected.Remove(serviceKey);
            return upToDate;
        }
    }

    private void Set(string serviceKey, string uid, long generation)
    {
        lock (_lock)
        {
            if (!_expected.TryGetValue(serviceKey, out var expected))
            {
                expected = new Dictionary<string, (long, DateTimeOffset)>(StringComparer.Ordinal);
                _expected[serviceKey] = expected;
            }

            expected[uid] = (generation, time.GetUtcNow());
        }
    }
}
