using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Core;

/// <summary>Why a pod fit no node in one attempt, as kube-scheduler's framework.Diagnosis.</summary>
public sealed class Diagnosis
{
    public NodeToStatus NodeToStatus { get; } = new();

    /// <summary>Plugins that rejected the pod on some node; only events they registered move the pod back.</summary>
    public HashSet<string> UnschedulablePlugins { get; } = new(StringComparer.Ordinal);

    public HashSet<string> PendingPlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>The message of a PreFilter rejection, which replaces the per-node reasons.</summary>
    public string PreFilterMsg { get; set; } = string.Empty;

    /// <summary>The message of the PostFilter (preemption) attempt, appended to the FitError message.</summary>
    public string PostFilterMsg { get; set; } = string.Empty;

    public void AddPluginStatus(Status status)
    {
        if (string.IsNullOrEmpty(status.Plugin)) return;
        if (status.IsRejected) UnschedulablePlugins.Add(status.Plugin);
        if (status.Code == StatusCode.Pending) PendingPlugins.Add(status.Plugin);
    }
}
