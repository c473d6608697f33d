using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Navarch.Api.Patching;

/// <summary>
/// Per-field patch metadata of model types: JSON shape and element types from the k8s.Models classes by
/// reflection (their <see cref="JsonPropertyNameAttribute"/>s), patch strategies and merge keys from the
/// table of Kubernetes' struct tags. Each type is reflected once and cached; the instance is safe to use
/// from many threads. Used by <see cref="StrategicMergePatch"/> and by the OpenAPI generator
/// (<c>x-kubernetes-patch-strategy</c>, <c>x-kubernetes-patch-merge-key</c>).
/// </summary>
public sealed class PatchMetadata
{
    private readonly FrozenDictionary<(Type Type, string Field), (PatchStrategy Strategy, string? MergeKey)> _tags;
    private readonly ConcurrentDictionary<Type, FrozenDictionary<string, FieldPatchInfo>> _fields = new();
    private readonly ConcurrentDictionary<Type, FieldPatchInfo> _values = new();

    internal PatchMetadata(IEnumerable<(Type Type, string Field, PatchStrategy Strategy, string? MergeKey)> tags)
    {
        _tags = tags.ToFrozenDictionary(t => (t.Type, t.Field), t => (t.Strategy, t.MergeKey));
    }

    /// <summary>The metadata of the Kubernetes API types in k8s.Models.</summary>
    public static PatchMetadata Default { get; } = new(KubernetesPatchTags.All);

    /// <summary>The field of <paramref name="type"/> with JSON name <paramref name="jsonField"/>, or null if it has none.</summary>
    public FieldPatchInfo? Lookup(Type type, string jsonField)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(jsonField);
        return GetFields(type).TryGetValue(jsonField, out var info) ? info : null;
    }

    /// <summary>All JSON fields of <paramref name="type"/> (empty for types that are not model objects).</summary>
    public IReadOnlyDictionary<string, FieldPatchInfo> GetFields(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return _fields.GetOrAdd(type, static (t, self) => self.Reflect(t), this);
    }

    /// <summary>Describes a value of <paramref name="type"/> that is not a named field: a map value or a list element.</summary>
    internal FieldPatchInfo DescribeValue(Type type) =>
        _values.GetOrAdd(type, static t =>
        {
            var (shape, element) = Classify(t);
            return new FieldPatchInfo(string.Empty, t, shape, element, PatchStrategy.None, null);
        });

    private static bool IsModelObject(Type type) =>
        type.IsClass && type != typeof(string) && type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Any(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null);

    private static (FieldShape Shape, Type? Element) Classify(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(byte[]) || type == typeof(decimal)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid))
        {
            return (FieldShape.Scalar, null);
        }

        if ((FindGeneric(type, typeof(IDictionary<,>)) ?? FindGeneric(type, typeof(IReadOnlyDictionary<,>))) is { } dictionary
            && dictionary.GetGenericArguments()[0] == typeof(string))
        {
            return (FieldShape.Map, dictionary.GetGenericArguments()[1]);
        }

        if (type.IsArray)
        {
            return (FieldShape.List, type.GetElementType());
        }

        if (FindGeneric(type, typeof(IEnumerable<>)) is { } enumerable)
        {
            return (FieldShape.List, enumerable.GetGenericArguments()[0]);
        }

        // Types without JSON-named properties (quantities, int-or-string, object) serialize as scalars or free-form JSON.
        return IsModelObject(type) ? (FieldShape.Object, type) : (FieldShape.Scalar, null);
    }

    private static Type? FindGeneric(Type type, Type definition)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == definition)
        {
            return type;
        }

        foreach (var candidate in type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == definition)
            {
                return candidate;
            }
        }

        return null;
    }

    private FrozenDictionary<string, FieldPatchInfo> Reflect(Type type)
    {
        var fields = new Dictionary<string, FieldPatchInfo>(StringComparer.Ordinal);
        if (type.IsClass && type != typeof(string))
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
                if (name is null)
                {
                    continue;
                }

                var (shape, element) = Classify(property.PropertyType);
                _tags.TryGetValue((type, name), out var tag);
                fields[name] = new FieldPatchInfo(name, property.PropertyType, shape, element, tag.Strategy, tag.MergeKey);
            }
        }

        return fields.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
