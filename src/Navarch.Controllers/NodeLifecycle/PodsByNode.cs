using k8s.Models;
using Navarch.Client.Informers;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>The pod index by node name the node controllers share, so a node's pods are found without a scan.</summary>
internal static class PodsByNode
{
    public const string IndexName = "nodelifecycle.spec.nodeName";

    /// <summary>Adds the index unless a controller of this or an earlier leadership term already did.</summary>
    public static void Ensure(SharedIndexInformer<V1Pod> pods)
    {
        try
        {
            pods.Indexer.AddIndex(IndexName, static pod => string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName);
        }
        catch (InvalidOperationException)
        {
            // Registered already, by the same function: the informers outlive controllers across terms.
        }
    }
}
