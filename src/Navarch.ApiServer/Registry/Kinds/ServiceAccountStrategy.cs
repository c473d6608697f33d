using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>ServiceAccounts: metadata rules only, as ValidateServiceAccount.</summary>
internal sealed class ServiceAccountStrategy : ResourceStrategy<V1ServiceAccount>
{
    protected override void Validate(V1ServiceAccount obj, List<FieldError> errors) =>
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
}
