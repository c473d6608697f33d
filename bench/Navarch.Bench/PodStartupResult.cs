namespace Navarch.Bench;

/// <summary>The <c>pod-startup</c> benchmark's latencies (milliseconds) and, if the run did not complete, why.</summary>
/// <param name="Startup">Create request sent → the watch event showing the pod Running: the headline figure.</param>
/// <param name="Upstream">creationTimestamp → that event, as clusterloader2 computes it (whole-second creation times).</param>
/// <param name="Scheduling">Create request sent → the watch event showing the pod bound.</param>
/// <param name="Kubelet">Bound seen → Running seen: the node's share.</param>
internal sealed record PodStartupResult(
    LatencySummary Startup, LatencySummary Upstream, LatencySummary Scheduling, LatencySummary Kubelet, string? Failure)
{
    private static readonly LatencySummary None = LatencySummary.Of([]);

    public static PodStartupResult Failed(string failure) => new(None, None, None, None, failure);
}
