using System.Text.RegularExpressions;
using k8s.Models;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.OpenApi;

/// <summary>
/// Kubernetes' OpenAPI definition names (<c>io.k8s.api.core.v1.Pod</c>,
/// <c>io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta</c>, ...) for KubernetesClient model types. The models do
/// not carry their Go package, so a type takes the package of the first API group whose kinds reach it, the core
/// group first (as shared types such as <c>PodTemplateSpec</c> live there), apimachinery's meta types excepted.
/// </summary>
internal sealed partial class DefinitionNames
{
    public const string MetaPackage = "io.k8s.apimachinery.pkg.apis.meta.v1";
    public const string IntOrStringName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    public const string QuantityName = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string TimeName = MetaPackage + ".Time";
    public const string MicroTimeName = MetaPackage + ".MicroTime";
    public const string PatchName = MetaPackage + ".Patch";

    // Types that are apimachinery's meta/v1, wherever they are reached from.
    private static readonly HashSet<string> MetaKinds = new(StringComparer.Ordinal)
    {
        "ObjectMeta", "ListMeta", "OwnerReference", "ManagedFieldsEntry", "LabelSelector", "LabelSelectorRequirement",
        "Status", "StatusDetails", "StatusCause", "DeleteOptions", "Preconditions", "Condition", "WatchEvent", "Patch",
        "APIResource", "APIResourceList", "APIGroup", "APIGroupList", "APIVersions", "GroupVersionForDiscovery",
        "ServerAddressByClientCIDR",
    };

    // Core types that the core kinds we serve do not reach themselves but other groups' kinds embed.
    private static readonly Type[] CoreSeeds = [typeof(V1PodTemplateSpec), typeof(V1PersistentVolumeClaim), typeof(V1Binding)];

    private readonly Dictionary<Type, string> _names = [];

    public DefinitionNames(ResourceRegistry registry, IEnumerable<(string Group, Type Model)> extraKinds)
    {
        var seeds = new List<(string Group, Type Model)>();
        seeds.AddRange(registry.Resources.Where(r => r.Group.Length == 0).SelectMany(r => new[] { ("", r.ModelType), ("", r.ListType) }));
        seeds.AddRange(CoreSeeds.Select(t => ("", t)));
        seeds.AddRange(extraKinds.Where(k => k.Group.Length == 0));
        seeds.AddRange(registry.Resources.Where(r => r.Group.Length > 0).SelectMany(r => new[] { (r.Group, r.ModelType), (r.Group, r.ListType) }));
        seeds.AddRange(extraKinds.Where(k => k.Group.Length > 0));

        foreach (var (group, model) in seeds)
        {
            Assign(model, group);
        }
    }

    /// <summary>Every model type reached, with its definition name.</summary>
    public IReadOnlyDictionary<Type, string> All => _names;

    /// <summary>The definition name of a model type reached from the served kinds.</summary>
    public string NameOf(Type model) =>
        _names.TryGetValue(model, out var name) ? name : throw new KeyNotFoundException($"no OpenAPI definition for {model}");

    /// <summary>True for KubernetesClient model classes (objects with properties), as opposed to scalars and collections.</summary>
    public static bool IsModel(Type type) =>
        type.IsClass && type.Namespace == "k8s.Models" && type != typeof(IntOrString) && type != typeof(ResourceQuantity);

    private void Assign(Type root, string group)
    {
        var pending = new Queue<Type>();
        pending.Enqueue(root);
        while (pending.Count > 0)
        {
            var type = pending.Dequeue();
            if (_names.ContainsKey(type))
            {
                continue;
            }

            _names[type] = Name(type, group);
            foreach (var property in type.GetProperties())
            {
                foreach (var reached in ModelsIn(property.PropertyType))
                {
                    pending.Enqueue(reached);
                }
            }
        }
    }

    /// <summary>The model types a property type mentions (itself, or the element/value type of a collection).</summary>
    public static IEnumerable<Type> ModelsIn(Type type)
    {
        if (IsModel(type))
        {
            yield return type;
            yield break;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                foreach (var model in ModelsIn(argument))
                {
                    yield return model;
                }
            }
        }
    }

    private static string Name(Type type, string group)
    {
        // Group-qualified client names: "Corev1Event", "Eventsv1EventSeries", "Discoveryv1EndpointPort".
        var qualified = QualifiedName().Match(type.Name);
        if (qualified.Success)
        {
            return $"io.k8s.api.{qualified.Groups[1].Value.ToLowerInvariant()}.v{qualified.Groups[2].Value}.{qualified.Groups[3].Value}";
        }

        var versioned = VersionedName().Match(type.Name);
        if (!versioned.Success)
        {
            return $"io.k8s.api.{Package(group)}.v1.{type.Name}";
        }

        var version = versioned.Groups[1].Value.ToLowerInvariant();
        var kind = versioned.Groups[2].Value;
        return MetaKinds.Contains(kind) ? $"{MetaPackage}.{kind}" : $"io.k8s.api.{Package(group)}.{version}.{kind}";
    }

    /// <summary>The Go package of an API group: <c>core</c> for the core group, else the group's first label.</summary>
    private static string Package(string group) => group.Length == 0 ? "core" : group.Split('.')[0];

    [GeneratedRegex("^([A-Z][a-z]+)v([0-9]+)([A-Z].*)$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^(V[0-9]+(?:alpha[0-9]+|beta[0-9]+)?)([A-Z].*)$")]
    private static partial Regex VersionedName();
}
