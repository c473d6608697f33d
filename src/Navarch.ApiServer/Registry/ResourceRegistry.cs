using System.Collections.Frozen;
using Navarch.ApiServer.Registry.Allocation;

namespace Navarch.ApiServer.Registry;

/// <summary>
/// The served resources, looked up by group, version and plural name on every request.
/// </summary>
public sealed class ResourceRegistry
{
    private readonly FrozenDictionary<(string Group, string Version, string Resource), ResourceDefinition> _byResource;

    public ResourceRegistry(IEnumerable<ResourceDefinition> resources)
    {
        Resources = resources.ToArray();
        _byResource = Resources.ToFrozenDictionary(r => (r.Group, r.Version, r.Resource));
        Groups = Resources
            .GroupBy(r => r.Group)
            .Select(g => new ApiGroup(g.Key, g.Select(r => r.Version).Distinct().ToArray()))
            .ToArray();
    }

    /// <summary>The registry of every built-in kind, with Service allocators over the default ranges.</summary>
    public static ResourceRegistry CreateDefault() => CreateDefault(ServiceAllocators.CreateDefault());

    /// <summary>
    /// The registry of every built-in kind; Services allocate from <paramref name="serviceAllocators"/>, which the host
    /// seeds with <see cref="ServiceAllocators.Seed"/> from the stored Services before serving.
    /// </summary>
    public static ResourceRegistry CreateDefault(ServiceAllocators serviceAllocators) => new(BuiltInResources.Create(serviceAllocators));

    public IReadOnlyList<ResourceDefinition> Resources { get; }

    /// <summary>Groups in registration order; the core group has the empty name.</summary>
    public IReadOnlyList<ApiGroup> Groups { get; }

    public ResourceDefinition? Find(string group, string version, string resource) =>
        _byResource.GetValueOrDefault((group, version, resource));

    public IEnumerable<ResourceDefinition> InGroupVersion(string group, string version) =>
        Resources.Where(r => r.Group == group && r.Version == version);

    public bool HasGroupVersion(string group, string version) =>
        Groups.Any(g => g.Name == group && g.Versions.Contains(version, StringComparer.Ordinal));
}
