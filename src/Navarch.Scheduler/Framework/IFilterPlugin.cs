using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Decides whether the pod can run on one node. Called concurrently for different nodes: no shared writes.</summary>
public interface IFilterPlugin : IPlugin
{
    Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo);
}
