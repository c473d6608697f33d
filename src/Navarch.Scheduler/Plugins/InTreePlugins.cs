using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins;

/// <summary>The plugins built into the scheduler by name, as kube-scheduler's in-tree registry.</summary>
public static class InTreePlugins
{
    public static IReadOnlyDictionary<string, PluginFactory> Registry { get; } = new Dictionary<string, PluginFactory>(StringComparer.Ordinal)
    {
        [SchedulingGates.SchedulingGates.PluginName] = SchedulingGates.SchedulingGates.New,
        [PrioritySort.PrioritySort.PluginName] = PrioritySort.PrioritySort.New,
        [NodeUnschedulable.NodeUnschedulable.PluginName] = NodeUnschedulable.NodeUnschedulable.New,
        [NodeName.NodeName.PluginName] = NodeName.NodeName.New,
        [TaintToleration.TaintToleration.PluginName] = TaintToleration.TaintToleration.New,
        [NodeAffinity.NodeAffinity.PluginName] = NodeAffinity.NodeAffinity.New,
        [NodePorts.NodePorts.PluginName] = NodePorts.NodePorts.New,
        [NodeResourcesFit.NodeResourcesFit.PluginName] = NodeResourcesFit.NodeResourcesFit.New,
        [NodeResourcesBalancedAllocation.NodeResourcesBalancedAllocation.PluginName] = NodeResourcesBalancedAllocation.NodeResourcesBalancedAllocation.New,
        [InterPodAffinity.InterPodAffinity.PluginName] = InterPodAffinity.InterPodAffinity.New,
        [PodTopologySpread.PodTopologySpread.PluginName] = PodTopologySpread.PodTopologySpread.New,
        [DefaultPreemption.DefaultPreemption.PluginName] = DefaultPreemption.DefaultPreemption.New,
        [DefaultBinder.DefaultBinder.PluginName] = DefaultBinder.DefaultBinder.New,
    };
}
