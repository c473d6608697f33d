using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>PriorityClasses, after ValidatePriorityClass and ValidatePriorityClassUpdate.</summary>
/// <remarks>That at most one class is globalDefault needs the other stored classes; that check is left to the handler.</remarks>
internal sealed class PriorityClassStrategy : ResourceStrategy<V1PriorityClass>
{
    public const int HighestUserDefinablePriority = 1_000_000_000;
    private const string SystemPrefix = "system-";
    private static readonly string[] PreemptionPolicies = ["Never", "PreemptLowerPriority"];

    private static readonly Dictionary<string, int> SystemClasses = new(StringComparer.Ordinal)
    {
        ["system-node-critical"] = 2_000_001_000,
        ["system-cluster-critical"] = 2_000_000_000,
    };

    protected override void Default(V1PriorityClass obj)
    {
        if (string.IsNullOrEmpty(obj.PreemptionPolicy))
        {
            obj.PreemptionPolicy = "PreemptLowerPriority";
        }
    }

    protected override void Validate(V1PriorityClass obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        var name = obj.Metadata?.Name ?? "";
        if (obj.Value is not { } value)
        {
            errors.Add(FieldError.Required("value"));
            return;
        }

        if (name.StartsWith(SystemPrefix, StringComparison.Ordinal))
        {
            var problem = !SystemClasses.TryGetValue(name, out var expected)
                ? $"{name} is not a known system priority class"
                : value != expected ? $"value of {name} PriorityClass must be {expected}" : null;
            if (problem is not null)
            {
                errors.Add(FieldError.Forbidden("metadata.name",
                    $"priority class names with '{SystemPrefix}' prefix are reserved for system use only. error: {problem}"));
            }
        }
        else if (value > HighestUserDefinablePriority)
        {
            errors.Add(FieldError.Forbidden("value", $"maximum allowed value of a user defined priority is {HighestUserDefinablePriority}"));
        }

        if (obj.PreemptionPolicy is { } policy && !PreemptionPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported("preemptionPolicy", policy, PreemptionPolicies));
        }
    }

    protected override void ValidateUpdate(V1PriorityClass obj, V1PriorityClass old, List<FieldError> errors)
    {
        Validate(obj, errors);
        if (obj.Value != old.Value)
        {
            errors.Add(FieldError.Forbidden("value", "may not be changed in an update."));
        }

        ObjectMetaValidation.ValidateImmutable(obj.PreemptionPolicy, old.PreemptionPolicy, "preemptionPolicy", errors);
    }
}
