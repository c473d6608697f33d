using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>ConfigMaps, after pkg/registry/core/configmap/strategy.go and ValidateConfigMap.</summary>
internal sealed class ConfigMapStrategy : ResourceStrategy<V1ConfigMap>
{
    protected override void Validate(V1ConfigMap obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        var total = DataMapValidation.ValidateKeys(obj.Data, "data", v => System.Text.Encoding.UTF8.GetByteCount(v), errors);
        total += DataMapValidation.ValidateKeys(obj.BinaryData, "binaryData", v => v.Length, errors);
        foreach (var key in obj.BinaryData?.Keys ?? [])
        {
            if (obj.Data?.ContainsKey(key) == true)
            {
                errors.Add(FieldError.Invalid($"data[{key}]", key, "duplicate of key present in binaryData"));
            }
        }

        if (total > DataMapValidation.MaxSize)
        {
            errors.Add(FieldError.TooLong("", null, DataMapValidation.MaxSize));
        }
    }

    protected override void ValidateUpdate(V1ConfigMap obj, V1ConfigMap old, List<FieldError> errors)
    {
        Validate(obj, errors);
        DataMapValidation.ValidateImmutable(obj.Immutable, old.Immutable, DataMapValidation.Fields(obj, old), errors);
    }
}
