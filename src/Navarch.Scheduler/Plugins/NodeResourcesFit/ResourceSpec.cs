namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>A resource a scoring strategy looks at and its weight (config.ResourceSpec).</summary>
internal sealed record ResourceSpec(string Name, long Weight)
{
    /// <summary>cpu and memory with weight 1, the default of both NodeResourcesFit and BalancedAllocation.</summary>
    public static IReadOnlyList<ResourceSpec> Defaults { get; } = [new("cpu", 1), new("memory", 1)];

    /// <summary>
    /// Applies the v1 defaults (no list means <see cref="Defaults"/>, weight 0 means 1) and validates: a name,
    /// no duplicates, and a weight in (0, 100] — or exactly 1 when <paramref name="weightMustBeOne"/>. Problems
    /// are added to <paramref name="errors"/> in Kubernetes' field-error style.
    /// </summary>
    public static IReadOnlyList<ResourceSpec> FromArgs(
        IReadOnlyList<ResourceSpecArgs>? args, string path, bool weightMustBeOne, List<string> errors)
    {
        if (args is null || args.Count == 0) return Defaults;

        var result = new List<ResourceSpec>(args.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i].Name ?? string.Empty;
            var weight = args[i].Weight == 0 ? 1 : args[i].Weight;
            if (name.Length == 0)
            {
                errors.Add($"{path}[{i}].name: Required value");
            }
            else if (!seen.Add(name))
            {
                errors.Add($"{path}[{i}].name: Duplicate value: \"{name}\"");
            }

            if (weightMustBeOne && weight != 1)
            {
                errors.Add($"{path}[{i}].weight: Invalid value: {weight}: must be 1");
            }
            else if (weight is <= 0 or > 100)
            {
                errors.Add($"{path}[{i}].weight: Invalid value: {weight}: resource weight of {name} not in valid range (0, 100]");
            }

            result.Add(new ResourceSpec(name, weight));
        }

        return result;
    }
}
