using System.Reflection;
using System.Text;
using k8s;
using k8s.Models;

namespace Navarch.Client.Informers;

/// <summary>Where a kind lives in the REST API, taken from the model's <see cref="KubernetesEntityAttribute"/>.</summary>
internal sealed record ResourcePath(string Group, string Version, string Plural, string Kind)
{
    public static ResourcePath For<T>()
        where T : IKubernetesObject
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{typeof(T).Name} has no [KubernetesEntity] attribute; informers need its group, version and plural.");
        if (string.IsNullOrEmpty(entity.ApiVersion) || string.IsNullOrEmpty(entity.PluralName))
        {
            throw new ArgumentException($"{typeof(T).Name}'s [KubernetesEntity] attribute lacks an API version or plural name.");
        }

        return new ResourcePath(entity.Group ?? string.Empty, entity.ApiVersion, entity.PluralName, entity.Kind ?? typeof(T).Name);
    }

    /// <summary>The group/version/resource as Kubernetes logs it (<c>pods</c>, <c>leases.coordination.k8s.io</c>).</summary>
    public string Display => Group.Length == 0 ? Plural : Plural + "." + Group;

    /// <summary>The collection URL under <paramref name="baseUri"/>, across namespaces when <paramref name="ns"/> is null.</summary>
    public string Collection(Uri baseUri, string? ns)
    {
        var builder = new StringBuilder(baseUri.ToString().TrimEnd('/'));
        builder.Append(Group.Length == 0 ? "/api/" : "/apis/" + Group + "/").Append(Version);
        if (!string.IsNullOrEmpty(ns))
        {
            builder.Append("/namespaces/").Append(Uri.EscapeDataString(ns));
        }

        return builder.Append('/').Append(Plural).ToString();
    }
}
