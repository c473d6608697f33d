using k8s;
using k8s.Models;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.ReplicaSet;

/// <summary>
/// An informer index of objects by their controller's UID, with orphans (no controller reference) filed under their
/// namespace, as Kubernetes' controllerUIDIndex and OrphanPodIndexKey: a sync reads the pods it owns and the orphans
/// it might adopt without scanning every pod of the namespace (or the cluster). Registration is idempotent, since
/// every leadership term builds its controllers again on the same shared informers.
/// </summary>
internal static class ControllerUidIndex
{
    /// <summary>The index name; distinctive so it never collides with an index another controller registers.</summary>
    public const string Name = "navarch.io/controller-uid-or-orphan-namespace";

    // A UID never contains a slash, so orphan keys cannot collide with UIDs.
    private const string OrphanPrefix = "orphan/";

    /// <summary>Adds the index to <paramref name="indexer"/> unless an earlier controller (or term) already did.</summary>
    public static void Register<T>(Indexer<T> indexer)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        try
        {
            indexer.AddIndex(Name, static obj => IndexValue(obj.Metadata));
        }
        catch (InvalidOperationException)
        {
            // The Indexer has no "has index" query; a conflict on this name can only be our own earlier registration.
        }
    }

    /// <summary>The cached objects whose controller reference has <paramref name="uid"/>.</summary>
    public static IReadOnlyList<T> Controlled<T>(Indexer<T> indexer, string uid)
        where T : class, IKubernetesObject<V1ObjectMeta> => indexer.ByIndex(Name, uid);

    /// <summary>The cached objects of <paramref name="ns"/> without a controller reference.</summary>
    public static IReadOnlyList<T> Orphans<T>(Indexer<T> indexer, string ns)
        where T : class, IKubernetesObject<V1ObjectMeta> => indexer.ByIndex(Name, OrphanPrefix + ns);

    private static string? IndexValue(V1ObjectMeta? metadata)
    {
        if (metadata is null) return null;
        if (OwnerReferences.ControllerOf(metadata) is { Uid: { Length: > 0 } uid }) return uid;
        return OrphanPrefix + (metadata.NamespaceProperty ?? string.Empty);
    }
}
