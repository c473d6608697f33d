using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Approves, rejects, or delays (Wait with a timeout) the binding of a reserved pod.</summary>
public interface IPermitPlugin : IPlugin
{
    (Status Status, TimeSpan Timeout) Permit(CycleState state, V1Pod pod, string nodeName);
}
