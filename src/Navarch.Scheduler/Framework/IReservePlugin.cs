using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Claims node resources for the chosen pod before binding; Unreserve rolls back when a later step fails.</summary>
public interface IReservePlugin : IPlugin
{
    Status Reserve(CycleState state, V1Pod pod, string nodeName);

    void Unreserve(CycleState state, V1Pod pod, string nodeName);
}
