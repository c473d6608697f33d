namespace Navarch.Storage;

/// <summary>
/// A read of every key that starts with <see cref="Prefix"/>, in key order.
/// </summary>
/// <param name="Prefix">Key prefix; an exact key is a prefix of itself, so callers that want one key use <see cref="IKeyValueStore.GetAsync"/>.</param>
/// <param name="Limit">At most this many items; 0 means no limit.</param>
/// <param name="StartAfter">Continue after this key (exclusive); null starts at the beginning of the prefix.</param>
/// <param name="Revision">Read the state as of this revision; 0 means the current revision.</param>
public sealed record RangeRequest(string Prefix, int Limit = 0, string? StartAfter = null, long Revision = 0);
