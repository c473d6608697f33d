using System.Reflection;
using System.Text;
using k8s.Models;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>One served group/version/resource, as the garbage collector and the namespace controller address it.</summary>
internal sealed record ApiResource(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>The group/resource as Kubernetes prints it in messages (<c>pods.</c>, <c>deployments.apps</c>).</summary>
    public string GroupResource => Plural + "." + Group;

    /// <summary>The resource of a KubernetesClient model, from its <see cref="KubernetesEntityAttribute"/>.</summary>
    public static ApiResource For<T>(bool namespaced)
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{typeof(T).Name} has no [KubernetesEntity] attribute.");
        return new ApiResource(entity.Group ?? string.Empty, entity.ApiVersion, entity.PluralName, entity.Kind, namespaced);
    }

    /// <summary>The URL path of the collection (in <paramref name="ns"/> when namespaced) or of one object.</summary>
    public string Path(string? ns, string? name = null)
    {
        var builder = new StringBuilder(Group.Length == 0 ? "api/" : "apis/" + Group + "/").Append(Version);
        if (Namespaced && !string.IsNullOrEmpty(ns))
        {
            builder.Append("/namespaces/").Append(Uri.EscapeDataString(ns));
        }

        builder.Append('/').Append(Plural);
        if (name is not null)
        {
            builder.Append('/').Append(Uri.EscapeDataString(name));
        }

        return builder.ToString();
    }

    /// <summary>The group of an apiVersion such as <c>apps/v1</c> (empty for the core <c>v1</c>).</summary>
    public static string GroupOf(string? apiVersion)
    {
        if (string.IsNullOrEmpty(apiVersion)) return string.Empty;
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? string.Empty : apiVersion[..slash];
    }
}
