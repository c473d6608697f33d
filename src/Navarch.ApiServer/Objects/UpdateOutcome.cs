using k8s;
using k8s.Models;

namespace Navarch.ApiServer.Objects;

/// <summary>The result of a guaranteed update: the object as stored (or as it was last, when it was deleted).</summary>
public sealed record UpdateOutcome(IKubernetesObject<V1ObjectMeta> Object, bool Deleted, bool Changed);
