using k8s.Models;
using Navarch.Client.Events;
using Navarch.Scheduler.Runtime;

namespace Navarch.Scheduler.Hosting;

/// <summary>
/// Sends the scheduler's events through the client's recorders, which batch and aggregate repeats. Each profile
/// reports under its own schedulerName (the event's source), as kube-scheduler does.
/// </summary>
internal sealed class RecorderSchedulerEvents(IReadOnlyDictionary<string, EventRecorder> recorders, EventRecorder fallback) : ISchedulerEvents
{
    public void Record(V1Pod regarding, string type, string reason, string action, string message)
    {
        var profile = regarding.Spec?.SchedulerName ?? "default-scheduler";
        (recorders.TryGetValue(profile, out var recorder) ? recorder : fallback).Event(regarding, type, reason, message);
    }
}
