using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>Runs before a pod enters the active queue; anything but Success keeps it out (e.g. schedulingGates).</summary>
public interface IPreEnqueuePlugin : IPlugin
{
    Status PreEnqueue(V1Pod pod);
}
