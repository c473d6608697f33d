using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// Runs once per cycle before Filter: checks the pod, computes state for Filter, and may narrow the node set.
/// A rejection here rejects the pod on every node. Returning <see cref="Status.Skip"/> skips this plugin's Filter.
/// </summary>
public interface IPreFilterPlugin : IPlugin
{
    (PreFilterResult? Result, Status Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes);

    /// <summary>Incremental updates preemption uses while it simulates removing victims; null when not needed.</summary>
    IPreFilterExtensions? PreFilterExtensions { get; }
}
