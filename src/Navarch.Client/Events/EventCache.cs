using System.Diagnostics.CodeAnalysis;

namespace Navarch.Client.Events;

/// <summary>
/// A least-recently-used map of the events written, bounded as client-go's eventLogger cache (4096 entries), so a
/// long-running component does not remember every event it ever wrote. Used by the recorder's single writer only.
/// </summary>
internal sealed class EventCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, CachedEvent Value)>> _entries = [];
    private readonly LinkedList<(string Key, CachedEvent Value)> _order = new();

    public int Count => _entries.Count;

    public bool TryGet(string key, [NotNullWhen(true)] out CachedEvent? value)
    {
        if (_entries.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            value = node.Value.Value;
            return true;
        }

        value = null;
        return false;
    }

    public void Set(string key, CachedEvent value)
    {
        if (_entries.TryGetValue(key, out var node))
        {
            _order.Remove(node);
        }
        else if (_entries.Count >= capacity && _order.Last is { } oldest)
        {
            _order.RemoveLast();
            _entries.Remove(oldest.Value.Key);
        }

        _entries[key] = _order.AddFirst((key, value));
    }

    public void Remove(string key)
    {
        if (_entries.Remove(key, out var node))
        {
            _order.Remove(node);
        }
    }
}
