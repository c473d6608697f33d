using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// A node and the pods the scheduler counts on it (bound and assumed), with running totals of their requests
/// and host ports, as kube-scheduler's NodeInfo. The cache owns the live copies; each scheduling cycle reads a
/// snapshot of clones, so plugins never see a NodeInfo change under them.
/// </summary>
public sealed class NodeInfo
{
    private readonly List<PodInfo> _pods = [];
    private readonly List<PodInfo> _podsWithAffinity = [];
    private readonly List<PodInfo> _podsWithRequiredAntiAffinity = [];

    public NodeInfo(V1Node? node = null)
    {
        if (node is not null) SetNode(node);
    }

    /// <summary>The node; null while only pods bound to a node the cache has not seen yet are known.</summary>
    public V1Node? Node { get; private set; }

    public string Name => Node?.Metadata?.Name ?? string.Empty;

    public IReadOnlyList<PodInfo> Pods => _pods;

    /// <summary>Pods on the node with any pod (anti-)affinity, for InterPodAffinity's existing-pod checks.</summary>
    public IReadOnlyList<PodInfo> PodsWithAffinity => _podsWithAffinity;

    public IReadOnlyList<PodInfo> PodsWithRequiredAntiAffinity => _podsWithRequiredAntiAffinity;

    public HostPortSet UsedPorts { get; private set; } = new();

    /// <summary>Sum of the effective requests of the pods here.</summary>
    public Resource Requested { get; private set; } = new();

    /// <summary>Sum of requests with cpu/memory defaults for unset values (scoring).</summary>
    public Resource NonZeroRequested { get; private set; } = new();

    /// <summary>status.allocatable of the node.</summary>
    public Resource Allocatable { get; private set; } = new();

    /// <summary>Bumped on every change, so a snapshot can tell which nodes to copy again.</summary>
    public long Generation { get; set; }

    public void SetNode(V1Node node)
    {
        Node = node;
        Allocatable = Resource.FromList(node.Status?.Allocatable);
    }

    public void RemoveNode() => Node = null;

    public void AddPod(PodInfo pod)
    {
        _pods.Add(pod);
        if (pod.HasAffinity) _podsWithAffinity.Add(pod);
        if (pod.HasRequiredAntiAffinity) _podsWithRequiredAntiAffinity.Add(pod);
        Requested.Add(pod.Requests);
        NonZeroRequested.Add(pod.NonZeroRequests);
        ForEachHostPort(pod.Pod, UsedPorts.Add);
    }

    /// <summary>Removes the pod with the same UID; false when it is not here.</summary>
    public bool RemovePod(V1Pod pod)
    {
        var uid = pod.Metadata?.Uid;
        for (var i = 0; i < _pods.Count; i++)
        {
            var existing = _pods[i];
            if (existing.Uid != uid) continue;

            _pods.RemoveAt(i);
            _podsWithAffinity.Remove(existing);
            _podsWithRequiredAntiAffinity.Remove(existing);
            Requested.Subtract(existing.Requests);
            NonZeroRequested.Subtract(existing.NonZeroRequests);
            ForEachHostPort(existing.Pod, UsedPorts.Remove);
            return true;
        }

        return false;
    }

    public NodeInfo Clone()
    {
        var copy = new NodeInfo
        {
            Node = Node,
            Allocatable = Allocatable,
            Requested = Requested.Clone(),
            NonZeroRequested = NonZeroRequested.Clone(),
            UsedPorts = UsedPorts.Clone(),
            Generation = Generation,
        };
        copy._pods.AddRange(_pods);
        copy._podsWithAffinity.AddRange(_podsWithAffinity);
        copy._podsWithRequiredAntiAffinity.AddRange(_podsWithRequiredAntiAffinity);
        return copy;
    }

    /// <summary>Calls <paramref name="action"/> for each (hostIP, protocol, hostPort) the pod's containers ask for.</summary>
    public static void ForEachHostPort(V1Pod pod, Action<string?, string?, int> action)
    {
        if (pod.Spec is not { } spec) return;
        Visit(spec.Containers, sidecarsOnly: false, action);
        Visit(spec.InitContainers, sidecarsOnly: true, action);

        // As schedutil.GetHostPorts: only containers that run for the pod's life (app containers and restartable
        // init containers) hold host ports; a regular init container has exited before the app starts.
        static void Visit(IList<V1Container>? containers, bool sidecarsOnly, Action<string?, string?, int> action)
        {
            if (containers is null) return;
            foreach (var container in containers)
            {
                if (container.Ports is null || (sidecarsOnly && container.RestartPolicy != "Always")) continue;
                foreach (var port in container.Ports)
                {
                    if (port.HostPort is > 0) action(port.HostIP, port.Protocol, port.HostPort.Value);
                }
            }
        }
    }

    public override string ToString() => $"{Name} ({_pods.Count} pods, requested {Requested})";
}
