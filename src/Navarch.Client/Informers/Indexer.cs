using k8s;
using k8s.Models;

namespace Navarch.Client.Informers;

/// <summary>
/// A thread-safe object store keyed by <see cref="ObjectKeys"/> with secondary indexes, as client-go's
/// <c>cache.Indexer</c> (threadSafeMap + indexers). The <see cref="NamespaceIndex"/> is always present; others are
/// registered by name. Each write costs O(1) plus the object's index values, so the store holds hundreds of
/// thousands of objects. Objects are shared with every reader and must be treated as immutable.
/// </summary>
public sealed class Indexer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The built-in index of objects by namespace, as client-go's <c>cache.NamespaceIndex</c>.</summary>
    public const string NamespaceIndex = "namespace";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IndexDefinition> _indexes = new(StringComparer.Ordinal);

    public Indexer()
    {
        AddIndex(NamespaceIndex, static obj => obj.Metadata?.NamespaceProperty is { Length: > 0 } ns ? ns : null);
    }

    /// <summary>How many objects the store holds.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Registers an index whose function gives any number of values per object; existing objects are indexed now.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> indexFunc)
    {
        ArgumentNullException.ThrowIfNull(indexFunc);
        Register(name, new IndexDefinition(null, indexFunc));
    }

    /// <summary>
    /// Registers an index whose function gives at most one value per object (null for none), the common case
    /// (pods by node name) that allocates nothing per event.
    /// </summary>
    public void AddIndex(string name, Func<T, string?> indexFunc)
    {
        ArgumentNullException.ThrowIfNull(indexFunc);
        Register(name, new IndexDefinition(indexFunc, null));
    }

    private void Register(string name, IndexDefinition definition)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_lock)
        {
            if (!_indexes.TryAdd(name, definition))
            {
                throw new InvalidOperationException($"indexer conflict: {name}");
            }

            foreach (var (key, item) in _items)
            {
                definition.Add(key, item);
            }
        }
    }

    /// <summary>The object with this key, or null.</summary>
    public T? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    /// <summary>A snapshot of every object.</summary>
    public IReadOnlyList<T> List()
    {
        lock (_lock)
        {
            return [.. _items.Values];
        }
    }

    /// <summary>A snapshot of every key.</summary>
    public IReadOnlyList<string> ListKeys()
    {
        lock (_lock)
        {
            return [.. _items.Keys];
        }
    }

    /// <summary>The objects whose index <paramref name="indexName"/> has <paramref name="value"/>.</summary>
    /// <exception cref="KeyNotFoundException">No index has that name.</exception>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            var keys = Index(indexName).Keys(value);
            if (keys is null)
            {
                return [];
            }

            var result = new T[keys.Count];
            var i = 0;
            foreach (var key in keys)
            {
                result[i++] = _items[key];
            }

            return result;
        }
    }

    /// <summary>The keys of the objects whose index <paramref name="indexName"/> has <paramref name="value"/>.</summary>
    public IReadOnlyList<string> IndexKeys(string indexName, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            var keys = Index(indexName).Keys(value);
            return keys is null ? [] : [.. keys];
        }
    }

    /// <summary>Every value the index currently holds objects under.</summary>
    public IReadOnlyList<string> ListIndexValues(string indexName)
    {
        lock (_lock)
        {
            return Index(indexName).Values();
        }
    }

    /// <summary>Adds or replaces an object; returns the object it replaced, if any.</summary>
    internal T? Upsert(T obj)
    {
        var key = ObjectKeys.KeyOf(obj);
        lock (_lock)
        {
            _items.TryGetValue(key, out var old);
            _items[key] = obj;
            foreach (var index in _indexes.Values)
            {
                index.Update(key, old, obj);
            }

            return old;
        }
    }

    /// <summary>Removes the object with this key; returns it, or null when it was absent.</summary>
    internal T? Remove(string key)
    {
        lock (_lock)
        {
            if (!_items.Remove(key, out var old))
            {
                return null;
            }

            foreach (var index in _indexes.Values)
            {
                index.Remove(key, old);
            }

            return old;
        }
    }

    private IndexDefinition Index(string name) =>
        _indexes.TryGetValue(name, out var index) ? index : throw new KeyNotFoundException($"Index with name {name} does not exist");

    /// <summary>One index: the function and the map from value to the keys of objects with that value.</summary>
    private sealed class IndexDefinition(Func<T, string?>? single, Func<T, IEnumerable<string>>? multi)
    {
        private readonly Dictionary<string, HashSet<string>> _byValue = new(StringComparer.Ordinal);

        public HashSet<string>? Keys(string value) => _byValue.GetValueOrDefault(value);

        public IReadOnlyList<string> Values() => [.. _byValue.Keys];

        public void Add(string key, T obj)
        {
            if (single is not null)
            {
                if (single(obj) is { } value)
                {
                    AddKey(value, key);
                }

                return;
            }

            foreach (var value in multi!(obj))
            {
                AddKey(value, key);
            }
        }

        public void Remove(string key, T obj)
        {
            if (single is not null)
            {
                if (single(obj) is { } value)
                {
                    RemoveKey(value, key);
                }

                return;
            }

            foreach (var value in multi!(obj))
            {
                RemoveKey(value, key);
            }
        }

        public void Update(string key, T? old, T obj)
        {
            if (single is not null)
            {
                var before = old is null ? null : single(old);
                var after = single(obj);
                if (string.Equals(before, after, StringComparison.Ordinal))
                {
                    return;
                }

                if (before is not null)
                {
                    RemoveKey(before, key);
                }

                if (after is not null)
                {
                    AddKey(after, key);
                }

                return;
            }

            if (old is not null)
            {
                Remove(key, old);
            }

            Add(key, obj);
        }

        private void AddKey(string value, string key)
        {
            if (!_byValue.TryGetValue(value, out var keys))
            {
                keys = new HashSet<string>(StringComparer.Ordinal);
                _byValue[value] = keys;
            }

            keys.Add(key);
        }

        private void RemoveKey(string value, string key)
        {
            if (_byValue.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0)
            {
                _byValue.Remove(value);
            }
        }
    }
}
