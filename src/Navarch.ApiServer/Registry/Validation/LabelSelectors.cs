using k8s.Models;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>Label selector checks: validity of a <c>metav1.LabelSelector</c> and whether it matches a label set.</summary>
internal static class LabelSelectors
{
    public static bool IsEmpty(V1LabelSelector selector) =>
        (selector.MatchLabels?.Count ?? 0) + (selector.MatchExpressions?.Count ?? 0) == 0;

    public static bool Matches(V1LabelSelector selector, IDictionary<string, string>? labels)
    {
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var has = labels is not null && labels.ContainsKey(requirement.Key);
            var value = has ? labels![requirement.Key] : null; // has implies labels is not null
            var values = requirement.Values ?? [];
            var ok = requirement.OperatorProperty switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>metav1validation.ValidateLabelSelector: keys, values and operators.</summary>
    public static void Validate(V1LabelSelector selector, string path, List<FieldError> errors)
    {
        ObjectMetaValidation.ValidateLabels(selector.MatchLabels, path + ".matchLabels", errors);
        var index = 0;
        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var at = $"{path}.matchExpressions[{index++}]";
            var count = requirement.Values?.Count ?? 0;
            switch (requirement.OperatorProperty)
            {
                case "In" or "NotIn":
                    if (count == 0)
                    {
                        errors.Add(FieldError.Required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
                    }

                    break;
                case "Exists" or "DoesNotExist":
                    if (count > 0)
                    {
                        errors.Add(FieldError.Forbidden(at + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }

                    break;
                default:
                    errors.Add(FieldError.Invalid(at + ".operator", requirement.OperatorProperty, "not a valid selector operator"));
                    break;
            }

            foreach (var message in NameValidation.IsQualifiedName(requirement.Key ?? ""))
            {
                errors.Add(FieldError.Invalid(at + ".key", requirement.Key, message));
            }
        }
    }
}
