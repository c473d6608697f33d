using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Work that must finish before binding (e.g. provisioning a volume).</summary>
public interface IPreBindPlugin : IPlugin
{
    Task<Status> PreBindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken);
}
