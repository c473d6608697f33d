using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>Leases, with the rules of ValidateLeaseSpec.</summary>
internal sealed class LeaseStrategy : ResourceStrategy<V1Lease>
{
    protected override void Validate(V1Lease obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        if (obj.Spec?.LeaseDurationSeconds is <= 0)
        {
            errors.Add(FieldError.Invalid("spec.leaseDurationSeconds", obj.Spec.LeaseDurationSeconds.Value, "must be greater than 0"));
        }

        WorkloadValidation.ValidateNonNegative(obj.Spec?.LeaseTransitions, "spec.leaseTransitions", errors);
    }
}
