using System.Collections.Concurrent;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// Namespace labels for one scheduling cycle, looked up once per namespace. kube-scheduler merges the namespaces a
/// namespaceSelector of the incoming pod selects into the term's namespace list at PreFilter; evaluating the
/// selector against each existing pod's namespace labels (from the same informer cache) gives the same answer.
/// Thread-safe: preemption may update cloned states on several nodes at once.
/// </summary>
internal sealed class NamespaceLabelResolver(ISchedulerClient client)
{
    private static readonly IReadOnlyDictionary<string, string> Unknown = new Dictionary<string, string>();

    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _labels = new(StringComparer.Ordinal);

    /// <summary>The namespace's labels; null when the namespace is not known to the cache.</summary>
    public IReadOnlyDictionary<string, string>? Get(string namespaceName)
    {
        var labels = _labels.GetOrAdd(namespaceName, static (name, c) => c.NamespaceLabels(name) ?? Unknown, client);
        return ReferenceEquals(labels, Unknown) ? null : labels;
    }
}
