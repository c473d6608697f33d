using System.Text.Json.Nodes;
using k8s.Models;
using Navarch.ApiServer.Discovery;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.OpenApi;

/// <summary>
/// Builds the OpenAPI v2 document and the per-group-version OpenAPI v3 documents of a registry, by reflection over
/// the KubernetesClient models. Meant to run once at start; <see cref="OpenApiDocuments"/> caches the bytes.
/// </summary>
internal sealed class OpenApiDocumentBuilder
{
    private static readonly string[] ResponseMediaTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
    private static readonly string[] PatchMediaTypes =
        ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

    private readonly ResourceRegistry _registry;
    private readonly ModelDescriptions _descriptions;
    private readonly DefinitionNames _names;
    private readonly Dictionary<Type, IReadOnlyList<GroupVersionKind>> _kinds;

    public OpenApiDocumentBuilder(ResourceRegistry registry, ModelDescriptions descriptions)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(descriptions);
        _registry = registry;
        _descriptions = descriptions;
        _kinds = Kinds(registry);
        _names = new DefinitionNames(registry,
        [
            .. ResourcePaths.SubresourceModels.Select(s => (s.Key.Group, s.Value)),
            ("", typeof(V1Status)), ("", typeof(V1DeleteOptions)), ("", typeof(V1WatchEvent)), ("", typeof(V1Patch)),
        ]);
    }

    public DefinitionNames Names => _names;

    /// <summary>The Swagger 2.0 document served at <c>/openapi/v2</c>.</summary>
    public JsonObject BuildV2()
    {
        var generator = new SchemaGenerator(_names, _descriptions, _kinds, v3: false);
        var paths = new JsonObject();
        foreach (var path in _registry.Resources.SelectMany(r => ResourcePaths.For(r, _names)).OrderBy(p => p.Path, StringComparer.Ordinal))
        {
            paths[path.Path] = PathItemV2(path, generator);
        }

        var definitions = new JsonObject();
        foreach (var (name, schema) in generator.Definitions())
        {
            definitions[name] = schema;
        }

        return new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = KubernetesVersion.GitVersion },
            ["paths"] = paths,
            ["definitions"] = definitions,
            ["securityDefinitions"] = new JsonObject
            {
                ["BearerToken"] = new JsonObject
                {
                    ["description"] = "Bearer Token authentication", ["type"] = "apiKey", ["name"] = "authorization", ["in"] = "header",
                },
            },
            ["security"] = new JsonArray(new JsonObject { ["BearerToken"] = new JsonArray() }),
        };
    }

    /// <summary>The OpenAPI 3.0 documents, keyed by their index path (<c>api/v1</c>, <c>apis/apps/v1</c>, ...).</summary>
    public SortedDictionary<string, JsonObject> BuildV3()
    {
        var generator = new SchemaGenerator(_names, _descriptions, _kinds, v3: true);
        var allSchemas = generator.Definitions();
        var documents = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var group in _registry.Groups)
        {
            foreach (var version in group.Versions)
            {
                var paths = new JsonObject();
                foreach (var path in _registry.InGroupVersion(group.Name, version)
                    .SelectMany(r => ResourcePaths.For(r, _names)).OrderBy(p => p.Path, StringComparer.Ordinal))
                {
                    paths[path.Path] = PathItemV3(path, generator);
                }

                var schemas = new JsonObject();
                foreach (var name in ReferencedSchemas(paths, allSchemas))
                {
                    schemas[name] = allSchemas[name].DeepClone();
                }

                documents[ResourcePaths.Prefix(group.Name, version).TrimStart('/')] = new JsonObject
                {
                    ["openapi"] = "3.0.0",
                    ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = KubernetesVersion.GitVersion },
                    ["paths"] = paths,
                    ["components"] = new JsonObject
                    {
                        ["schemas"] = schemas,
                        ["securitySchemes"] = new JsonObject
                        {
                            ["BearerToken"] = new JsonObject
                            {
                                ["type"] = "apiKey", ["description"] = "Bearer Token authentication", ["name"] = "authorization", ["in"] = "header",
                            },
                        },
                    },
                };
            }
        }

        return documents;
    }

    private static Dictionary<Type, IReadOnlyList<GroupVersionKind>> Kinds(ResourceRegistry registry)
    {
        var kinds = new Dictionary<Type, List<GroupVersionKind>>();
        void Add(Type type, GroupVersionKind gvk)
        {
            if (!kinds.TryGetValue(type, out var list))
            {
                kinds[type] = list = [];
            }

            if (!list.Contains(gvk))
            {
                list.Add(gvk);
            }
        }

        foreach (var r in registry.Resources)
        {
            Add(r.ModelType, new GroupVersionKind(r.Group, r.Version, r.Kind));
            Add(r.ListType, new GroupVersionKind(r.Group, r.Version, r.Kind + "List"));
        }

        foreach (var ((group, kind), type) in ResourcePaths.SubresourceModels)
        {
            Add(type, new GroupVersionKind(group, "v1", kind));
        }

        Add(typeof(V1Status), new GroupVersionKind("", "v1", "Status"));

        // As in kube-apiserver, DeleteOptions and WatchEvent are registered in every served group version.
        var groupVersions = registry.Groups.SelectMany(g => g.Versions.Select(v => (g.Name, v)))
            .Concat(ResourcePaths.SubresourceModels.Keys.Select(k => (k.Group, "v1")))
            .Distinct()
            .OrderBy(gv => gv.Item1, StringComparer.Ordinal);
        foreach (var (group, version) in groupVersions)
        {
            Add(typeof(V1DeleteOptions), new GroupVersionKind(group, version, "DeleteOptions"));
            Add(typeof(V1WatchEvent), new GroupVersionKind(group, version, "WatchEvent"));
        }

        return kinds.ToDictionary(k => k.Key, k => (IReadOnlyList<GroupVersionKind>)k.Value);
    }

    private static IEnumerable<string> ReferencedSchemas(JsonNode root, IReadOnlyDictionary<string, JsonObject> schemas)
    {
        const string prefix = "#/components/schemas/";
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<JsonNode>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        if (key == "$ref" && value?.GetValue<string>() is { } reference && reference.StartsWith(prefix, StringComparison.Ordinal))
                        {
                            var name = reference[prefix.Length..];
                            if (seen.Add(name))
                            {
                                pending.Push(schemas[name]);
                            }
                        }
                        else if (value is not null)
                        {
                            pending.Push(value);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        if (item is not null)
                        {
                            pending.Push(item);
                        }
                    }

                    break;
            }
        }

        return seen;
    }

    private static JsonObject PathItemV2(ApiPath path, SchemaGenerator generator)
    {
        var item = new JsonObject();
        foreach (var op in path.Operations)
        {
            var parameters = new JsonArray();
            if (op.Body is not null)
            {
                parameters.Add(new JsonObject { ["name"] = "body", ["in"] = "body", ["required"] = op.Method != "delete", ["schema"] = generator.RefTo(op.Body) });
            }

            foreach (var parameter in op.Parameters)
            {
                parameters.Add(ParameterV2(parameter));
            }

            var responses = new JsonObject();
            foreach (var code in op.SuccessCodes)
            {
                responses[code.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                    new JsonObject { ["description"] = Describe(code), ["schema"] = generator.RefTo(op.Response) };
            }

            responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
            item[op.Method] = new JsonObject
            {
                ["description"] = op.Description,
                ["consumes"] = Strings(op.Method == "patch" ? PatchMediaTypes : ["*/*"]),
                ["produces"] = Strings(ResponseMediaTypes),
                ["schemes"] = Strings(["https"]),
                ["tags"] = Strings([op.Tag]),
                ["operationId"] = op.OperationId,
                ["parameters"] = parameters,
                ["responses"] = responses,
                ["x-kubernetes-action"] = op.Action,
                ["x-kubernetes-group-version-kind"] = op.Kind.ToJson(),
            };
        }

        var shared = new JsonArray();
        foreach (var parameter in path.Parameters)
        {
            shared.Add(ParameterV2(parameter));
        }

        item["parameters"] = shared;
        return item;
    }

    private static JsonObject PathItemV3(ApiPath path, SchemaGenerator generator)
    {
        var item = new JsonObject();
        foreach (var op in path.Operations)
        {
            var operation = new JsonObject
            {
                ["tags"] = Strings([op.Tag]),
                ["description"] = op.Description,
                ["operationId"] = op.OperationId,
            };
            var parameters = new JsonArray();
            foreach (var parameter in op.Parameters)
            {
                parameters.Add(ParameterV3(parameter));
            }

            if (parameters.Count > 0)
            {
                operation["parameters"] = parameters;
            }

            if (op.Body is not null)
            {
                var content = new JsonObject();
                foreach (var mediaType in op.Method == "patch" ? PatchMediaTypes : ["*/*"])
                {
                    content[mediaType] = new JsonObject { ["schema"] = generator.RefTo(op.Body) };
                }

                operation["requestBody"] = new JsonObject { ["content"] = content, ["required"] = op.Method != "delete" };
            }

            var responses = new JsonObject();
            foreach (var code in op.SuccessCodes)
            {
                var content = new JsonObject();
                foreach (var mediaType in ResponseMediaTypes)
                {
                    content[mediaType] = new JsonObject { ["schema"] = generator.RefTo(op.Response) };
                }

                responses[code.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                    new JsonObject { ["description"] = Describe(code), ["content"] = content };
            }

            responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
            operation["responses"] = responses;
            operation["x-kubernetes-action"] = op.Action;
            operation["x-kubernetes-group-version-kind"] = op.Kind.ToJson();
            item[op.Method] = operation;
        }

        var shared = new JsonArray();
        foreach (var parameter in path.Parameters)
        {
            shared.Add(ParameterV3(parameter));
        }

        item["parameters"] = shared;
        return item;
    }

    private static JsonObject ParameterV2(ApiParameter parameter)
    {
        var node = new JsonObject
        {
            ["name"] = parameter.Name,
            ["in"] = parameter.In,
            ["description"] = parameter.Description,
            ["type"] = parameter.Type,
            ["uniqueItems"] = true,
        };
        if (parameter.Required)
        {
            node["required"] = true;
        }

        return node;
    }

    private static JsonObject ParameterV3(ApiParameter parameter)
    {
        var node = new JsonObject
        {
            ["name"] = parameter.Name,
            ["in"] = parameter.In,
            ["description"] = parameter.Description,
        };
        if (parameter.Required)
        {
            node["required"] = true;
        }

        node["schema"] = new JsonObject { ["type"] = parameter.Type, ["uniqueItems"] = true };
        return node;
    }

    private static string Describe(int code) => code switch
    {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        _ => "Success",
    };

    private static JsonArray Strings(IEnumerable<string> values)
    {
        var array = new JsonArray();
        foreach (var value in values)
        {
            array.Add(value);
        }

        return array;
    }
}
