using k8s;
using k8s.Models;

namespace Navarch.ApiServer.Registry;

/// <summary>
/// A kind's own behaviour, in the style of kube-apiserver's per-kind <c>strategy.go</c>: what to reset
/// before a create or an update, defaults, validation, the fields a field selector may name, and how
/// deletion proceeds. The generic REST handler does all the mechanics around it.
/// </summary>
public interface IResourceStrategy
{
    /// <summary>True when <c>metadata.generation</c> starts at 1 and is bumped on every spec change.</summary>
    bool TracksGeneration { get; }

    /// <summary>Clears what a client may not set on create (status for most kinds) and sets initial state.</summary>
    void PrepareForCreate(IKubernetesObject<V1ObjectMeta> obj);

    /// <summary>Carries over from <paramref name="old"/> what a main-resource update may not change (status).</summary>
    void PrepareForUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old);

    /// <summary>Fills in defaults as Kubernetes' defaulting functions do; runs on create and on update.</summary>
    void Default(IKubernetesObject<V1ObjectMeta> obj);

    /// <summary>Validates a new object; field paths start below the object root, e.g. <c>spec.containers[0].name</c>.</summary>
    void Validate(IKubernetesObject<V1ObjectMeta> obj, List<FieldError> errors);

    /// <summary>Validates an update, including immutable fields.</summary>
    void ValidateUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, List<FieldError> errors);

    /// <summary>
    /// Field values a field selector may name, besides <c>metadata.name</c> and <c>metadata.namespace</c>
    /// which the handler always supports (e.g. <c>spec.nodeName</c>, <c>status.phase</c> for pods).
    /// </summary>
    IReadOnlyCollection<string> SelectableFields { get; }

    /// <summary>The value of one of <see cref="SelectableFields"/>; empty string when unset.</summary>
    string GetSelectableField(IKubernetesObject<V1ObjectMeta> obj, string field);

    /// <summary>
    /// How long a delete waits before the object goes, given the grace period the request asked for (null when it
    /// asked for none). Null means delete at once; a number sets <c>deletionTimestamp</c> and
    /// <c>deletionGracePeriodSeconds</c> and leaves removal to the object's owner (the kubelet, for pods).
    /// </summary>
    long? GracefulDeletionPeriod(IKubernetesObject<V1ObjectMeta> obj, long? requestedGracePeriodSeconds);

    /// <summary>
    /// Called after the store refused a create that <see cref="PrepareForCreate"/> prepared, so allocations made
    /// there (service IPs, node ports) are given back.
    /// </summary>
    void OnCreateFailed(IKubernetesObject<V1ObjectMeta> obj);

    /// <summary>Called after an object is gone from the store, to release what it held.</summary>
    void OnDeleted(IKubernetesObject<V1ObjectMeta> obj);
}
