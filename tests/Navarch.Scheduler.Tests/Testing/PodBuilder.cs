using k8s.Models;

namespace Navarch.Scheduler.Tests.Testing;

/// <summary>Builds pods for plugin and queue tests in a few readable calls.</summary>
internal sealed class PodBuilder
{
    private readonly V1Pod _pod;

    private PodBuilder(string name, string ns)
    {
        _pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Uid = $"uid-{ns}-{name}",
                Labels = new Dictionary<string, string>(),
                CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
            Status = new V1PodStatus { Phase = "Pending" },
        };
    }

    public static PodBuilder Pod(string name, string ns = "default") => new(name, ns);

    private V1Container Container => _pod.Spec.Containers[0];

    public PodBuilder Label(string key, string value)
    {
        _pod.Metadata.Labels[key] = value;
        return this;
    }

    /// <summary>Requests on the first container, e.g. Req(("cpu", "500m"), ("memory", "1Gi")).</summary>
    public PodBuilder Req(params (string Name, string Quantity)[] requests)
    {
        Container.Resources ??= new V1ResourceRequirements();
        Container.Resources.Requests ??= new Dictionary<string, ResourceQuantity>();
        foreach (var (name, quantity) in requests) Container.Resources.Requests[name] = new ResourceQuantity(quantity);
        return this;
    }

    /// <summary>Adds an extra app container with the given requests.</summary>
    public PodBuilder Container2(params (string Name, string Quantity)[] requests)
    {
        var container = new V1Container
        {
            Name = $"c{_pod.Spec.Containers.Count}",
            Image = "busybox",
            Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity>() },
        };
        foreach (var (name, quantity) in requests) container.Resources.Requests[name] = new ResourceQuantity(quantity);
        _pod.Spec.Containers.Add(container);
        return this;
    }

    public PodBuilder InitReq(bool sidecar, params (string Name, string Quantity)[] requests)
    {
        var container = new V1Container
        {
            Name = $"init{_pod.Spec.InitContainers?.Count ?? 0}",
            Image = "busybox",
            RestartPolicy = sidecar ? "Always" : null,
            Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity>() },
        };
        foreach (var (name, quantity) in requests) container.Resources.Requests[name] = new ResourceQuantity(quantity);
        (_pod.Spec.InitContainers ??= []).Add(container);
        return this;
    }

    public PodBuilder Overhead(params (string Name, string Quantity)[] overhead)
    {
        _pod.Spec.Overhead ??= new Dictionary<string, ResourceQuantity>();
        foreach (var (name, quantity) in overhead) _pod.Spec.Overhead[name] = new ResourceQuantity(quantity);
        return this;
    }

    public PodBuilder HostPort(int port, string protocol = "TCP", string? hostIp = null)
    {
        (Container.Ports ??= []).Add(new V1ContainerPort { ContainerPort = port, HostPort = port, Protocol = protocol, HostIP = hostIp });
        return this;
    }

    public PodBuilder Node(string nodeName)
    {
        _pod.Spec.NodeName = nodeName;
        return this;
    }

    public PodBuilder NodeSelector(string key, string value)
    {
        (_pod.Spec.NodeSelector ??= new Dictionary<string, string>())[key] = value;
        return this;
    }

    public PodBuilder Toleration(string key, string? value, string effect, string op = "Equal")
    {
        (_pod.Spec.Tolerations ??= []).Add(new V1Toleration { Key = key, Value = value, Effect = effect, OperatorProperty = op });
        return this;
    }

    public PodBuilder Priority(int priority)
    {
        _pod.Spec.Priority = priority;
        return this;
    }

    public PodBuilder Affinity(V1Affinity affinity)
    {
        _pod.Spec.Affinity = affinity;
        return this;
    }

    public PodBuilder SpreadConstraint(V1TopologySpreadConstraint constraint)
    {
        (_pod.Spec.TopologySpreadConstraints ??= []).Add(constraint);
        return this;
    }

    public PodBuilder SchedulerName(string name)
    {
        _pod.Spec.SchedulerName = name;
        return this;
    }

    public PodBuilder CreatedAt(DateTime timestamp)
    {
        _pod.Metadata.CreationTimestamp = timestamp;
        return this;
    }

    public PodBuilder Phase(string phase)
    {
        _pod.Status.Phase = phase;
        return this;
    }

    public PodBuilder Configure(Action<V1Pod> configure)
    {
        configure(_pod);
        return this;
    }

    public V1Pod Build() => _pod;

    public static implicit operator V1Pod(PodBuilder builder) => builder.Build();
}
