using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Binds the pod to the node; the first binder that does not return Skip does the work.</summary>
public interface IBindPlugin : IPlugin
{
    Task<Status> BindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken);
}
