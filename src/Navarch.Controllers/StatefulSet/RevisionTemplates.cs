using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Navarch.Controllers.StatefulSet;

/// <summary>
/// The pod templates of the revisions a StatefulSet still has pods of, remembered in memory. Kubernetes keeps them
/// in ControllerRevisions, which our API server does not serve yet; without them a pod below the partition that
/// must be recreated after a template change needs the old template. After a controller restart the old template
/// is unknown and such pods get the update revision.
/// </summary>
internal sealed class RevisionTemplates
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, V1PodTemplateSpec>> _bySet = new(StringComparer.Ordinal);

    /// <summary>Remembers <paramref name="template"/> as <paramref name="revision"/> and forgets revisions other than the two in use.</summary>
    public void Record(string setUid, string revision, V1PodTemplateSpec template, string currentRevision)
    {
        var revisions = _bySet.GetOrAdd(setUid, static _ => new ConcurrentDictionary<string, V1PodTemplateSpec>(StringComparer.Ordinal));
        if (!revisions.ContainsKey(revision))
        {
            // A copy: the template belongs to the informer's cached object.
            revisions[revision] = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(template));
        }

        foreach (var name in revisions.Keys)
        {
            if (name != revision && name != currentRevision) revisions.TryRemove(name, out _);
        }
    }

    public V1PodTemplateSpec? Get(string setUid, string revision) =>
        _bySet.TryGetValue(setUid, out var revisions) && revisions.TryGetValue(revision, out var template) ? template : null;

    public void Forget(string setUid) => _bySet.TryRemove(setUid, out _);
}
