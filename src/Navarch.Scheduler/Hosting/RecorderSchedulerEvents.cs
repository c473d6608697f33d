using k8s.Models;
using Navarch.Client.Events;
using Navarch.Scheduler.Runtime;

namespace Navarch.Scheduler.Hosting;

/// <summary>Sends the scheduler's events through the client's recorder, which batches and aggregates repeats.</summary>
internal sealed class RecorderSchedulerEvents(IEventRecorder recorder) : ISchedulerEvents
{
    public void Record(V1Pod regarding, string type, string reason, string action, string message) =>
        recorder.Event(regarding, type, reason, message);
}
