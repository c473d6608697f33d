using k8s.Models;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// The <c>metadata</c> checks every strategy runs, after apimachinery's ValidateObjectMeta: name present and in the
/// kind's format, namespace a DNS label when set, label keys and values, annotation keys and total size.
/// </summary>
internal static class ObjectMetaValidation
{
    /// <summary>Kubernetes' TotalAnnotationSizeLimitB.</summary>
    public const int TotalAnnotationSizeLimit = 256 * 1024;

    public static void Validate(V1ObjectMeta? metadata, NameKind nameKind, List<FieldError> errors, int? maxNameLength = null)
    {
        metadata ??= new V1ObjectMeta();
        var name = metadata.Name ?? "";
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
        else
        {
            foreach (var message in ValidateName(name, nameKind))
            {
                errors.Add(FieldError.Invalid("metadata.name", name, message));
            }

            if (maxNameLength is { } max && name.Length > max)
            {
                errors.Add(FieldError.Invalid("metadata.name", name, NameValidation.MaxLength(max)));
            }
        }

        if (!string.IsNullOrEmpty(metadata.NamespaceProperty))
        {
            foreach (var message in NameValidation.IsDns1123Label(metadata.NamespaceProperty))
            {
                errors.Add(FieldError.Invalid("metadata.namespace", metadata.NamespaceProperty, message));
            }
        }

        ValidateLabels(metadata.Labels, "metadata.labels", errors);
        ValidateAnnotations(metadata.Annotations, "metadata.annotations", errors);
    }

    public static List<string> ValidateName(string name, NameKind nameKind) => nameKind switch
    {
        NameKind.Dns1123Label => NameValidation.IsDns1123Label(name),
        NameKind.Dns1035Label => NameValidation.IsDns1035Label(name),
        _ => NameValidation.IsDns1123Subdomain(name),
    };

    public static void ValidateLabels(IDictionary<string, string>? labels, string path, List<FieldError> errors)
    {
        if (labels is null)
        {
            return;
        }

        foreach (var (key, value) in labels)
        {
            foreach (var message in NameValidation.IsQualifiedName(key))
            {
                errors.Add(FieldError.Invalid(path, key, message));
            }

            foreach (var message in NameValidation.IsValidLabelValue(value ?? ""))
            {
                errors.Add(FieldError.Invalid(path, value, message));
            }
        }
    }

    public static void ValidateAnnotations(IDictionary<string, string>? annotations, string path, List<FieldError> errors)
    {
        if (annotations is null)
        {
            return;
        }

        long total = 0;
        foreach (var (key, value) in annotations)
        {
            // As Kubernetes does, annotation keys are checked case-insensitively.
            foreach (var message in NameValidation.IsQualifiedName(key.ToLowerInvariant()))
            {
                errors.Add(FieldError.Invalid(path, key, message));
            }

            total += System.Text.Encoding.UTF8.GetByteCount(key) + System.Text.Encoding.UTF8.GetByteCount(value ?? "");
        }

        if (total > TotalAnnotationSizeLimit)
        {
            errors.Add(FieldError.TooLong(path, null, TotalAnnotationSizeLimit));
        }
    }

    /// <summary>apimachinery's ValidateImmutableField: <c>Invalid value: ...: field is immutable</c>.</summary>
    public static void ValidateImmutable(object? newValue, object? oldValue, string path, List<FieldError> errors)
    {
        if (!Equals(newValue, oldValue))
        {
            errors.Add(FieldError.Invalid(path, newValue, "field is immutable"));
        }
    }
}
