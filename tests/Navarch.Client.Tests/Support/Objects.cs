using k8s.Models;

namespace Navarch.Client.Tests.Support;

public static class Objects
{
    public static V1Pod Pod(string name, string? nodeName = null, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec
        {
            NodeName = nodeName,
            Containers = [new V1Container { Name = "main", Image = "registry.k8s.io/pause:3.10" }],
        },
    };

    public static V1ConfigMap ConfigMap(string name, string value = "v") => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Data = new Dictionary<string, string> { ["k"] = value },
    };
}
