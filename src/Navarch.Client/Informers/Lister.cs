using k8s;
using k8s.Models;
using Navarch.Api.Labels;

namespace Navarch.Client.Informers;

/// <summary>
/// Read access to an informer's cache, as client-go's generated listers: controllers read the latest state here
/// instead of asking the API server. Returned objects are shared with the cache and must not be mutated.
/// </summary>
public sealed class Lister<T>(Indexer<T> indexer)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The indexer this lister reads.</summary>
    public Indexer<T> Indexer { get; } = indexer ?? throw new ArgumentNullException(nameof(indexer));

    /// <summary>A cluster-scoped object by name, or null when the cache does not hold it.</summary>
    public T? Get(string name) => Indexer.Get(name);

    /// <summary>A namespaced object, or null when the cache does not hold it.</summary>
    public T? Get(string ns, string name) => Indexer.Get(ObjectKeys.Key(ns, name));

    /// <summary>Every cached object whose labels match <paramref name="selector"/> (all of them when null).</summary>
    public IReadOnlyList<T> List(LabelSelector? selector = null) => Filter(Indexer.List(), selector);

    /// <summary>The cached objects of one namespace whose labels match <paramref name="selector"/> (all when null).</summary>
    public IReadOnlyList<T> List(string ns, LabelSelector? selector = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return Filter(Indexer.ByIndex(Indexer<T>.NamespaceIndex, ns), selector);
    }

    private static IReadOnlyList<T> Filter(IReadOnlyList<T> items, LabelSelector? selector)
    {
        if (selector is null || selector.IsEmpty)
        {
            return items;
        }

        var result = new List<T>();
        foreach (var item in items)
        {
            if (selector.Matches(item.Metadata))
            {
                result.Add(item);
            }
        }

        return result;
    }
}
