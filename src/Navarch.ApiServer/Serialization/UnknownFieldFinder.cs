using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Navarch.ApiServer.Serialization;

/// <summary>
/// Finds the fields of a request body that the kind's schema does not declare, for server-side field
/// validation (<c>fieldValidation=Strict|Warn</c>), reporting them as kube-apiserver does: <c>unknown field "spec.foo"</c>.
/// </summary>
public sealed class UnknownFieldFinder
{
    private readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, Type>?> _properties = new();
    private readonly JsonSerializerOptions _options;

    public UnknownFieldFinder(JsonSerializerOptions options) => _options = options;

    public List<string> Find(JsonNode root, Type type)
    {
        var found = new List<string>();
        Walk(root, type, "", found);
        return found;
    }

    private void Walk(JsonNode? node, Type type, string path, List<string> found)
    {
        switch (node)
        {
            case JsonObject obj:
                var props = PropertiesOf(type);
                if (props is null)
                {
                    var valueType = DictionaryValueType(type);
                    if (valueType is not null)
                    {
                        foreach (var (key, child) in obj)
                        {
                            Walk(child, valueType, Join(path, key), found);
                        }
                    }

                    return;
                }

                foreach (var (key, child) in obj)
                {
                    if (props.TryGetValue(key, out var childType))
                    {
                        Walk(child, childType, Join(path, key), found);
                    }
                    else if (!(path.Length == 0 && key is "apiVersion" or "kind"))
                    {
                        found.Add(Join(path, key));
                    }
                }

                break;
            case JsonArray array:
                var element = ElementType(type);
                if (element is null)
                {
                    return;
                }

                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], element, $"{path}[{i}]", found);
                }

                break;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private IReadOnlyDictionary<string, Type>? PropertiesOf(Type type) => _properties.GetOrAdd(type, t =>
    {
        var info = _options.GetTypeInfo(Nullable.GetUnderlyingType(t) ?? t);
        if (info.Kind != JsonTypeInfoKind.Object || info.Properties.Count == 0)
        {
            return null;
        }

        var map = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var p in info.Properties)
        {
            map[p.Name] = p.PropertyType;
        }

        return map;
    });

    private Type? ElementType(Type type)
    {
        var info = _options.GetTypeInfo(type);
        return info.Kind == JsonTypeInfoKind.Enumerable ? info.ElementType : null;
    }

    private Type? DictionaryValueType(Type type)
    {
        var info = _options.GetTypeInfo(type);
        return info.Kind == JsonTypeInfoKind.Dictionary ? info.ElementType : null;
    }
}
