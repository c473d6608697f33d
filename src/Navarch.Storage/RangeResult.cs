namespace Navarch.Storage;

/// <summary>The answer to a <see cref="RangeRequest"/>.</summary>
/// <param name="Items">Keys in ascending order.</param>
/// <param name="Revision">The revision the read was served at (the store's current revision when the request asked for 0).</param>
/// <param name="More">True when the limit cut the result short.</param>
/// <param name="Remaining">How many keys under the prefix follow the last item returned (0 when <paramref name="More"/> is false).</param>
public sealed record RangeResult(IReadOnlyList<KeyValue> Items, long Revision, bool More, long Remaining);
