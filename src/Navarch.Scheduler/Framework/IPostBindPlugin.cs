using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Informational, after a successful bind.</summary>
public interface IPostBindPlugin : IPlugin
{
    void PostBind(CycleState state, V1Pod pod, string nodeName);
}
