using k8s;
using k8s.Models;

namespace Navarch.Controllers.Framework;

/// <summary>Reading and making ownerReferences, as Kubernetes' metav1.GetControllerOf / NewControllerRef.</summary>
public static class OwnerReferences
{
    /// <summary>The reference with controller=true, if any.</summary>
    public static V1OwnerReference? ControllerOf(V1ObjectMeta? metadata)
    {
        if (metadata?.OwnerReferences is not { } refs) return null;
        foreach (var reference in refs)
        {
            if (reference.Controller == true) return reference;
        }

        return null;
    }

    /// <summary>True when <paramref name="metadata"/>'s controller reference points at the object with <paramref name="ownerUid"/>.</summary>
    public static bool IsControlledBy(V1ObjectMeta? metadata, string ownerUid) => ControllerOf(metadata)?.Uid == ownerUid;

    /// <summary>A controller reference to <paramref name="owner"/> with blockOwnerDeletion, as controllers set on what they create.</summary>
    public static V1OwnerReference ControllerRef(IKubernetesObject<V1ObjectMeta> owner, string apiVersion, string kind) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = owner.Metadata.Name,
        Uid = owner.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };
}
