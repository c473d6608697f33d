namespace Navarch.Scheduler.Config;

/// <summary>
/// The default plugins of Kubernetes 1.32, as multiPoint entries with their weights (limited to the plugins
/// Navarch has; volume and image-locality plugins do not apply). Order matters: it is the order each extension
/// point runs them in.
/// </summary>
public static class DefaultPlugins
{
    public static IReadOnlyList<PluginRef> MultiPoint { get; } =
    [
        new("SchedulingGates"),
        new("PrioritySort"),
        new("NodeUnschedulable"),
        new("NodeName"),
        new("TaintToleration", 3),
        new("NodeAffinity", 2),
        new("NodePorts"),
        new("NodeResourcesFit", 1),
        new("PodTopologySpread", 2),
        new("InterPodAffinity", 2),
        new("DefaultPreemption"),
        new("NodeResourcesBalancedAllocation", 1),
        new("DefaultBinder"),
    ];
}
