namespace Navarch.Scheduler.Framework;

/// <summary>
/// What a PreFilter plugin may return besides its status: the only nodes worth filtering (e.g. NodeAffinity
/// with a metadata.name field selector, NodeName). Null <see cref="NodeNames"/> means every node.
/// </summary>
public sealed record PreFilterResult(IReadOnlySet<string>? NodeNames)
{
    public bool AllNodes => NodeNames is null;

    /// <summary>The intersection of two results, as the framework merges them across plugins.</summary>
    public PreFilterResult Merge(PreFilterResult? other)
    {
        if (other?.NodeNames is null) return this;
        if (NodeNames is null) return other;
        var names = new HashSet<string>(NodeNames, StringComparer.Ordinal);
        names.IntersectWith(other.NodeNames);
        return new PreFilterResult(names);
    }
}
