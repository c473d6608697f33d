using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Queue;

/// <summary>
/// A binary heap of queued pods keyed by "namespace/name", so a pod can be found, updated or removed in
/// O(log n), as kube-scheduler's heap.Heap. Not thread-safe: the queue's lock guards it.
/// </summary>
internal sealed class PodHeap(Func<QueuedPodInfo, QueuedPodInfo, bool> less)
{
    private readonly List<QueuedPodInfo> _items = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public int Count => _items.Count;

    public IEnumerable<QueuedPodInfo> Items => _items;

    public bool Contains(string key) => _index.ContainsKey(key);

    public QueuedPodInfo? Get(string key) => _index.TryGetValue(key, out var i) ? _items[i] : null;

    public QueuedPodInfo? Peek() => _items.Count > 0 ? _items[0] : null;

    /// <summary>Adds the pod, or replaces the entry with the same key and restores the order.</summary>
    public void AddOrUpdate(QueuedPodInfo pod)
    {
        var key = pod.PodInfo.Key;
        if (_index.TryGetValue(key, out var i))
        {
            _items[i] = pod;
            Fix(i);
            return;
        }

        _items.Add(pod);
        _index[key] = _items.Count - 1;
        Up(_items.Count - 1);
    }

    public QueuedPodInfo? Pop()
    {
        if (_items.Count == 0) return null;
        var top = _items[0];
        RemoveAt(0);
        return top;
    }

    public bool Remove(string key)
    {
        if (!_index.TryGetValue(key, out var i)) return false;
        RemoveAt(i);
        return true;
    }

    private void RemoveAt(int i)
    {
        var last = _items.Count - 1;
        _index.Remove(_items[i].PodInfo.Key);
        if (i != last)
        {
            _items[i] = _items[last];
            _index[_items[i].PodInfo.Key] = i;
        }

        _items.RemoveAt(last);
        if (i < _items.Count) Fix(i);
    }

    private void Fix(int i)
    {
        if (!Up(i)) Down(i);
    }

    private bool Up(int i)
    {
        var moved = false;
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!less(_items[i], _items[parent])) break;
            Swap(i, parent);
            i = parent;
            moved = true;
        }

        return moved;
    }

    private void Down(int i)
    {
        var n = _items.Count;
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= n) return;
            var best = left;
            var right = left + 1;
            if (right < n && less(_items[right], _items[left])) best = right;
            if (!less(_items[best], _items[i])) return;
            Swap(i, best);
            i = best;
        }
    }

    private void Swap(int a, int b)
    {
        (_items[a], _items[b]) = (_items[b], _items[a]);
        _index[_items[a].PodInfo.Key] = a;
        _index[_items[b].PodInfo.Key] = b;
    }
}
