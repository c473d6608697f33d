using Navarch.Scheduler.Plugins.NodeResourcesFit;

namespace Navarch.Scheduler.Plugins.NodeResourcesBalancedAllocation;

/// <summary>NodeResourcesBalancedAllocationArgs: the resources whose utilization should be balanced.</summary>
internal sealed class BalancedAllocationArgs
{
    public List<ResourceSpecArgs>? Resources { get; init; }
}
