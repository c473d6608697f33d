using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodePorts;

/// <summary>
/// Rejects nodes where a host port the pod asks for is already taken, as kube-scheduler's NodePorts. The
/// rejection is Unschedulable (not unresolvable): evicting the pod that holds the port can make room.
/// </summary>
public sealed class NodePorts : IPreFilterPlugin, IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodePorts";

    /// <summary>The reason reported for a port conflict.</summary>
    public const string ErrReason = "node(s) didn't have free ports for the requested pod ports";

    private const string StateKey = "PreFilter" + PluginName;

    private static readonly ClusterEvent[] Events =
    [
        ClusterEvent.AssignedPodDelete,
        ClusterEvent.NodeAdd,
    ];

    private static readonly Status Rejected = Status.Unschedulable(ErrReason);

    private NodePorts()
    {
    }

    public string Name => PluginName;

    public IPreFilterExtensions? PreFilterExtensions => null;

    public static IPlugin New(JsonElement? args, IFrameworkHandle handle) => new NodePorts();

    public (PreFilterResult? Result, Status Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var ports = GetHostPorts(pod);
        if (ports.Length == 0) return (null, Status.Skip);
        state.Write(StateKey, new WantedPorts(ports));
        return (null, Status.Success);
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!state.TryRead<WantedPorts>(StateKey, out var wanted))
        {
            return Status.AsError($"error reading \"{StateKey}\" from cycleState: not found");
        }

        foreach (var (ip, protocol, port) in wanted.Ports)
        {
            if (nodeInfo.UsedPorts.Conflicts(ip, protocol, port)) return Rejected;
        }

        return Status.Success;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() => Events;

    /// <summary>
    /// The host ports of the app containers and of restartable init containers (sidecars), the containers that
    /// keep running for the pod's life, as schedutil.GetHostPorts; an empty protocol means TCP.
    /// </summary>
    internal static (string? Ip, string Protocol, int Port)[] GetHostPorts(V1Pod pod)
    {
        var result = new List<(string?, string, int)>();
        if (pod.Spec is { } spec)
        {
            if (spec.InitContainers is not null)
            {
                foreach (var container in spec.InitContainers)
                {
                    if (container.RestartPolicy == "Always") Collect(container, result);
                }
            }

            if (spec.Containers is not null)
            {
                foreach (var container in spec.Containers) Collect(container, result);
            }
        }

        return [.. result];

        static void Collect(V1Container container, List<(string?, string, int)> into)
        {
            if (container.Ports is null) return;
            foreach (var port in container.Ports)
            {
                if (port.HostPort is not > 0) continue;
                into.Add((port.HostIP, string.IsNullOrEmpty(port.Protocol) ? "TCP" : port.Protocol, port.HostPort.Value));
            }
        }
    }

    private sealed record WantedPorts((string? Ip, string Protocol, int Port)[] Ports);
}
