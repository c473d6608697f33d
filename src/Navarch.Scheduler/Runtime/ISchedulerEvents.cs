using k8s.Models;

namespace Navarch.Scheduler.Runtime;

/// <summary>
/// Where the scheduler records Kubernetes events about pods (FailedScheduling, Scheduled, Preempted). The host
/// implements it with the client's event recorder; tests collect the calls.
/// </summary>
public interface ISchedulerEvents
{
    /// <summary>Records an event: <paramref name="type"/> is Normal or Warning, <paramref name="reason"/> a CamelCase reason.</summary>
    void Record(V1Pod regarding, string type, string reason, string action, string message);
}
