using k8s.Models;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>Key, size and immutability rules ConfigMaps and Secrets share (ValidateConfigMap, ValidateSecret).</summary>
internal static class DataMapValidation
{
    /// <summary>Kubernetes' MaxSecretSize, which also bounds ConfigMaps.</summary>
    public const int MaxSize = 1024 * 1024;

    public const string ImmutableMessage = "field is immutable when `immutable` is set";

    /// <summary>Checks each key and returns the total size of keys and values.</summary>
    public static long ValidateKeys<TValue>(IDictionary<string, TValue>? data, string path, Func<TValue, long> size, List<FieldError> errors)
    {
        long total = 0;
        foreach (var (key, value) in data ?? new Dictionary<string, TValue>())
        {
            foreach (var message in NameValidation.IsConfigMapKey(key))
            {
                errors.Add(FieldError.Invalid($"{path}[{key}]", key, message));
            }

            total += value is null ? 0 : size(value);
        }

        return total;
    }

    /// <summary>Once <c>immutable: true</c> is stored, the flag and the listed data fields may not change.</summary>
    public static void ValidateImmutable(bool? immutable, bool? oldImmutable, IEnumerable<(string Path, object? Value, object? Old)> data, List<FieldError> errors)
    {
        if (oldImmutable != true)
        {
            return;
        }

        if (immutable != true)
        {
            errors.Add(FieldError.Forbidden("immutable", ImmutableMessage));
        }

        foreach (var (path, value, old) in data)
        {
            if (!SemanticEquality.AreEqual(Normalize(value), Normalize(old)))
            {
                errors.Add(FieldError.Forbidden(path, ImmutableMessage));
            }
        }
    }

    // An empty map and an absent one are the same data.
    private static object? Normalize(object? value) => value is System.Collections.ICollection { Count: 0 } ? null : value;

    public static IEnumerable<(string, object?, object?)> Fields(V1ConfigMap map, V1ConfigMap old) =>
    [
        ("data", map.Data, old.Data),
        ("binaryData", map.BinaryData, old.BinaryData),
    ];
}
