using k8s;
using k8s.Models;

namespace Navarch.ApiServer.Registry;

/// <summary>
/// Typed base for strategies: the handler works on <see cref="IKubernetesObject{V1ObjectMeta}"/> and this
/// casts once so each kind writes its rules against its own model.
/// </summary>
public abstract class ResourceStrategy<T> : IResourceStrategy
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly IReadOnlyCollection<string> NoFields = [];

    public virtual bool TracksGeneration => false;

    public virtual IReadOnlyCollection<string> SelectableFields => NoFields;

    void IResourceStrategy.PrepareForCreate(IKubernetesObject<V1ObjectMeta> obj) => PrepareForCreate((T)obj);

    void IResourceStrategy.PrepareForUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old) =>
        PrepareForUpdate((T)obj, (T)old);

    void IResourceStrategy.Default(IKubernetesObject<V1ObjectMeta> obj) => Default((T)obj);

    void IResourceStrategy.Validate(IKubernetesObject<V1ObjectMeta> obj, List<FieldError> errors) => Validate((T)obj, errors);

    void IResourceStrategy.ValidateUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, List<FieldError> errors) =>
        ValidateUpdate((T)obj, (T)old, errors);

    string IResourceStrategy.GetSelectableField(IKubernetesObject<V1ObjectMeta> obj, string field) => GetSelectableField((T)obj, field);

    long? IResourceStrategy.GracefulDeletionPeriod(IKubernetesObject<V1ObjectMeta> obj, long? requestedGracePeriodSeconds) =>
        GracefulDeletionPeriod((T)obj, requestedGracePeriodSeconds);

    void IResourceStrategy.OnCreateFailed(IKubernetesObject<V1ObjectMeta> obj) => OnCreateFailed((T)obj);

    void IResourceStrategy.OnDeleted(IKubernetesObject<V1ObjectMeta> obj) => OnDeleted((T)obj);

    protected virtual void OnCreateFailed(T obj)
    {
    }

    protected virtual void OnDeleted(T obj)
    {
    }

    protected virtual void PrepareForCreate(T obj)
    {
    }

    protected virtual void PrepareForUpdate(T obj, T old)
    {
    }

    protected virtual void Default(T obj)
    {
    }

    protected virtual void Validate(T obj, List<FieldError> errors)
    {
    }

    /// <summary>By default an update is validated as a create; kinds add their immutable-field rules.</summary>
    protected virtual void ValidateUpdate(T obj, T old, List<FieldError> errors) => Validate(obj, errors);

    protected virtual string GetSelectableField(T obj, string field) => "";

    protected virtual long? GracefulDeletionPeriod(T obj, long? requestedGracePeriodSeconds) => null;
}
