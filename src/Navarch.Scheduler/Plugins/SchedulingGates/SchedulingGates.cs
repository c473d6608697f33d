using System.Text;
using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.SchedulingGates;

/// <summary>
/// Keeps a pod out of the active queue while it has spec.schedulingGates, as kube-scheduler's SchedulingGates
/// plugin; the message lists the gates in Go's slice format ("waiting for scheduling gates: [a b]").
/// </summary>
public sealed class SchedulingGates : IPreEnqueuePlugin, IEnqueueExtensions
{
    public const string PluginName = "SchedulingGates";

    private static readonly ClusterEvent[] Events =
    [
        new(EventResource.Pod, ActionType.UpdatePodSchedulingGates, "PodUpdateSchedulingGates"),
    ];

    private SchedulingGates()
    {
    }

    public string Name => PluginName;

    public static IPlugin New(JsonElement? args, IFrameworkHandle handle) => new SchedulingGates();

    /// <summary>
    /// Pending while gates remain. Kubernetes reports UnschedulableAndUnresolvable here; this framework has a
    /// dedicated Pending code for "waiting on something outside the scheduler", which the queue treats as gated.
    /// </summary>
    public Status PreEnqueue(V1Pod pod)
    {
        var gates = pod.Spec?.SchedulingGates;
        if (gates is null || gates.Count == 0) return Status.Success;

        var message = new StringBuilder("waiting for scheduling gates: [");
        for (var i = 0; i < gates.Count; i++)
        {
            if (i > 0) message.Append(' ');
            message.Append(gates[i].Name);
        }

        message.Append(']');
        return Status.Create(StatusCode.Pending, message.ToString());
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() => Events;
}
