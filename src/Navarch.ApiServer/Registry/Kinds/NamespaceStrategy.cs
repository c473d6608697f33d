using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>Namespaces, after pkg/registry/core/namespace/strategy.go.</summary>
internal sealed class NamespaceStrategy : ResourceStrategy<V1Namespace>
{
    public const string KubernetesFinalizer = "kubernetes";
    public const string NameLabel = "kubernetes.io/metadata.name";

    private static readonly IReadOnlyCollection<string> Fields = ["status.phase"];

    public override IReadOnlyCollection<string> SelectableFields => Fields;

    /// <summary>A new namespace is Active and carries the <c>kubernetes</c> finalizer that namespace cleanup removes.</summary>
    protected override void PrepareForCreate(V1Namespace obj)
    {
        obj.Status = new V1NamespaceStatus { Phase = "Active" };
        obj.Spec ??= new V1NamespaceSpec();
        obj.Spec.Finalizers ??= new List<string>();
        if (!obj.Spec.Finalizers.Contains(KubernetesFinalizer))
        {
            obj.Spec.Finalizers.Add(KubernetesFinalizer);
        }
    }

    /// <summary>Status and spec.finalizers change only through the status and finalize subresources.</summary>
    protected override void PrepareForUpdate(V1Namespace obj, V1Namespace old)
    {
        obj.Status = old.Status;
        obj.Spec ??= new V1NamespaceSpec();
        obj.Spec.Finalizers = old.Spec?.Finalizers;
    }

    /// <summary>SetDefaults_Namespace: the immutable <c>kubernetes.io/metadata.name</c> label.</summary>
    protected override void Default(V1Namespace obj)
    {
        obj.Metadata ??= new V1ObjectMeta();
        if (!string.IsNullOrEmpty(obj.Metadata.Name))
        {
            obj.Metadata.Labels ??= new Dictionary<string, string>();
            obj.Metadata.Labels[NameLabel] = obj.Metadata.Name;
        }
    }

    protected override void Validate(V1Namespace obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Label, errors);
        var index = 0;
        foreach (var finalizer in obj.Spec?.Finalizers ?? [])
        {
            foreach (var message in NameValidation.IsQualifiedName(finalizer))
            {
                errors.Add(FieldError.Invalid($"spec.finalizers[{index}]", finalizer, message));
            }

            index++;
        }
    }

    protected override string GetSelectableField(V1Namespace obj, string field) => field switch
    {
        "status.phase" => obj.Status?.Phase ?? "",
        _ => "",
    };
}
