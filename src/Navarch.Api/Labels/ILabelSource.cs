namespace Navarch.Api.Labels;

/// <summary>
/// Abstracts over the two dictionary interfaces labels arrive in (IReadOnlyDictionary from callers,
/// IDictionary from k8s.Models), so matching is generic over a struct and allocates nothing.
/// </summary>
internal interface ILabelSource
{
    bool TryGet(string key, out string value);
}

internal readonly struct EmptyLabels : ILabelSource
{
    public bool TryGet(string key, out string value)
    {
        value = string.Empty;
        return false;
    }
}

internal readonly struct ReadOnlyLabels(IReadOnlyDictionary<string, string> labels) : ILabelSource
{
    public bool TryGet(string key, out string value)
    {
        if (labels.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }

        value = string.Empty;
        return false;
    }
}

internal readonly struct MutableLabels(IDictionary<string, string> labels) : ILabelSource
{
    public bool TryGet(string key, out string value)
    {
        if (labels.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }

        value = string.Empty;
        return false;
    }
}
