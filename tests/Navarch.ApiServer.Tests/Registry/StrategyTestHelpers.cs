using k8s;
using k8s.Models;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Tests.Registry;

/// <summary>Drives a strategy the way the generic handler does: defaults, prepare, validate.</summary>
internal static class StrategyTestHelpers
{
    public static List<string> Create(IResourceStrategy strategy, IKubernetesObject<V1ObjectMeta> obj)
    {
        strategy.Default(obj);
        strategy.PrepareForCreate(obj);
        var errors = new List<FieldError>();
        strategy.Validate(obj, errors);
        return errors.Select(e => e.ToString()).ToList();
    }

    public static List<string> Update(IResourceStrategy strategy, IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old)
    {
        strategy.Default(obj);
        strategy.PrepareForUpdate(obj, old);
        var errors = new List<FieldError>();
        strategy.ValidateUpdate(obj, old, errors);
        return errors.Select(e => e.ToString()).ToList();
    }

    public static T Copy<T>(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value));

    public static V1ObjectMeta Meta(string name, string? ns = "default") => new() { Name = name, NamespaceProperty = ns, Uid = "uid-1" };

    public static V1Container Container(string name = "app", string image = "nginx:1.27") => new() { Name = name, Image = image };

    public static V1PodSpec PodSpec(params V1Container[] containers) =>
        new() { Containers = containers.Length == 0 ? [Container()] : containers.ToList() };
}
