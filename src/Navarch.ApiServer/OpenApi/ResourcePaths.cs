using System.Globalization;
using k8s.Models;
using Navarch.ApiServer.Discovery;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.OpenApi;

/// <summary>
/// The REST paths kube-apiserver publishes for a resource — collection, item, all-namespaces list, watch paths
/// and subresources — with operation ids, actions and the GVK extension that kubectl's QueryParamVerifier reads.
/// </summary>
internal static class ResourcePaths
{
    private static readonly string StatusName = DefinitionNames.MetaPackage + ".Status";
    private static readonly string DeleteOptionsName = DefinitionNames.MetaPackage + ".DeleteOptions";
    private static readonly string WatchEventName = DefinitionNames.MetaPackage + ".WatchEvent";

    /// <summary>The model types of subresource kinds, for definitions and their GVK extensions.</summary>
    public static readonly IReadOnlyDictionary<(string Group, string Kind), Type> SubresourceModels =
        new Dictionary<(string, string), Type>
        {
            [("autoscaling", "Scale")] = typeof(V1Scale),
            [("", "Binding")] = typeof(V1Binding),
            [("policy", "Eviction")] = typeof(V1Eviction),
        };

    /// <summary>URL prefix of a group/version: <c>/api/v1</c> or <c>/apis/apps/v1</c>.</summary>
    public static string Prefix(string group, string version) => group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";

    public static IEnumerable<ApiPath> For(ResourceDefinition r, DefinitionNames names)
    {
        var model = names.NameOf(r.ModelType);
        var list = names.NameOf(r.ListType);
        var gvk = new GroupVersionKind(r.Group, r.Version, r.Kind);
        var prefix = Prefix(r.Group, r.Version);
        var tag = $"{(r.Group.Length == 0 ? "core" : r.Group.Split('.')[0])}_{r.Version}";
        var id = OperationIdPart(r.Group, r.Version);
        var scope = r.Namespaced ? "Namespaced" : "";
        var collection = r.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{r.Resource}" : $"{prefix}/{r.Resource}";
        var watchCollection = r.Namespaced ? $"{prefix}/watch/namespaces/{{namespace}}/{r.Resource}" : $"{prefix}/watch/{r.Resource}";
        var collectionParameters = r.Namespaced ? new[] { ApiParameters.Namespace, ApiParameters.Pretty } : [ApiParameters.Pretty];
        var itemParameters = r.Namespaced
            ? new[] { ApiParameters.Name(r.Kind), ApiParameters.Namespace, ApiParameters.Pretty }
            : [ApiParameters.Name(r.Kind), ApiParameters.Pretty];
        bool Has(string verb) => r.Verbs.Contains(verb, StringComparer.Ordinal);
        ApiOperation Op(string method, string verbId, string action, string description, IReadOnlyList<ApiParameter> parameters,
            string? body, string response, int[] codes, GroupVersionKind? kind = null, string suffix = "") =>
            new(method, $"{verbId}{id}{scope}{r.Kind}{suffix}", action, description, kind ?? gvk, parameters, body, response, codes, tag);

        var collectionOps = new List<ApiOperation>();
        if (Has("list"))
        {
            collectionOps.Add(Op("get", "list", "list", $"list or watch objects of kind {r.Kind}", ApiParameters.List, null, list, [200]));
        }

        if (Has("create"))
        {
            collectionOps.Add(Op("post", "create", "post", $"create a {r.Kind}", ApiParameters.Write, model, model, [200, 201, 202]));
        }

        if (Has("deletecollection"))
        {
            collectionOps.Add(new ApiOperation("delete", $"delete{id}Collection{scope}{r.Kind}", "deletecollection",
                $"delete collection of {r.Kind}", gvk, [.. ApiParameters.List, .. ApiParameters.Delete], DeleteOptionsName, StatusName, [200], tag));
        }

        if (collectionOps.Count > 0)
        {
            yield return new ApiPath(collection, collectionParameters, collectionOps);
        }

        var itemOps = new List<ApiOperation>();
        if (Has("get"))
        {
            itemOps.Add(Op("get", "read", "get", $"read the specified {r.Kind}", [], null, model, [200]));
        }

        if (Has("update"))
        {
            itemOps.Add(Op("put", "replace", "put", $"replace the specified {r.Kind}", ApiParameters.Write, model, model, [200, 201]));
        }

        if (Has("patch"))
        {
            itemOps.Add(Op("patch", "patch", "patch", $"partially update the specified {r.Kind}", ApiParameters.Patch,
                DefinitionNames.PatchName, model, [200, 201]));
        }

        if (Has("delete"))
        {
            itemOps.Add(Op("delete", "delete", "delete", $"delete a {r.Kind}", ApiParameters.Delete, DeleteOptionsName, StatusName, [200, 202]));
        }

        if (itemOps.Count > 0)
        {
            yield return new ApiPath($"{collection}/{{name}}", itemParameters, itemOps);
        }

        if (r.Namespaced && Has("list"))
        {
            yield return new ApiPath($"{prefix}/{r.Resource}", [ApiParameters.Pretty],
            [
                new ApiOperation("get", $"list{id}{r.Kind}ForAllNamespaces", "list", $"list or watch objects of kind {r.Kind}",
                    gvk, ApiParameters.List, null, list, [200], tag),
            ]);
        }

        if (Has("watch"))
        {
            yield return new ApiPath(watchCollection, collectionParameters,
            [
                Op("get", "watch", "watchlist", $"watch individual changes to a list of {r.Kind}. deprecated: use the 'watch' parameter with a list operation instead.",
                    ApiParameters.List, null, WatchEventName, [200], suffix: "List"),
            ]);
            yield return new ApiPath($"{watchCollection}/{{name}}", itemParameters,
            [
                Op("get", "watch", "watch", $"watch changes to an object of kind {r.Kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.",
                    ApiParameters.List, null, WatchEventName, [200]),
            ]);
            if (r.Namespaced)
            {
                yield return new ApiPath($"{prefix}/watch/{r.Resource}", [ApiParameters.Pretty],
                [
                    new ApiOperation("get", $"watch{id}{r.Kind}ListForAllNamespaces", "watchlist",
                        $"watch individual changes to a list of {r.Kind}. deprecated: use the 'watch' parameter with a list operation instead.",
                        gvk, ApiParameters.List, null, WatchEventName, [200], tag),
                ]);
            }
        }

        foreach (var sub in SubresourceInfo.For(r))
        {
            var subKind = new GroupVersionKind(sub.Group, sub.Version, sub.Kind);
            var subModel = sub.Kind == r.Kind && sub.Group == r.Group ? model
                : SubresourceModels.TryGetValue((sub.Group, sub.Kind), out var type) ? names.NameOf(type) : null;
            if (subModel is null)
            {
                continue;
            }

            var suffix = Capitalize(sub.Name);
            var ops = new List<ApiOperation>();
            foreach (var verb in sub.Verbs)
            {
                switch (verb)
                {
                    case "get":
                        ops.Add(Op("get", "read", "get", $"read {sub.Name} of the specified {r.Kind}", [], null, subModel, [200], subKind, suffix));
                        break;
                    case "update":
                        ops.Add(Op("put", "replace", "put", $"replace {sub.Name} of the specified {r.Kind}", ApiParameters.Write,
                            subModel, subModel, [200, 201], subKind, suffix));
                        break;
                    case "patch":
                        ops.Add(Op("patch", "patch", "patch", $"partially update {sub.Name} of the specified {r.Kind}", ApiParameters.Patch,
                            DefinitionNames.PatchName, subModel, [200, 201], subKind, suffix));
                        break;
                    case "create":
                        ops.Add(Op("post", "create", "post", $"create {sub.Name} of a {r.Kind}", ApiParameters.Write,
                            subModel, subModel, [200, 201, 202], subKind, suffix));
                        break;
                }
            }

            if (ops.Count > 0)
            {
                yield return new ApiPath($"{collection}/{{name}}/{sub.Name}", itemParameters, ops);
            }
        }
    }

    /// <summary>Operation-id infix, e.g. <c>CoreV1</c>, <c>AppsV1</c>, <c>CoordinationV1</c>.</summary>
    private static string OperationIdPart(string group, string version) =>
        Capitalize(group.Length == 0 ? "core" : group.Split('.')[0]) + Capitalize(version);

    private static string Capitalize(string value) =>
        value.Length == 0 ? value : char.ToUpper(value[0], CultureInfo.InvariantCulture) + value[1..];
}
