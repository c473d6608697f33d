namespace Navarch.Controllers.NodeLifecycle;

/// <summary>
/// What the node controller last saw of one node, as upstream's nodeHealthData: the probe timestamp is the
/// controller's own clock when it last saw the kubelet's Lease renewed or its Ready heartbeat change, so clock
/// skew between machines never makes a node look dead or alive.
/// </summary>
internal sealed class NodeHealth(DateTimeOffset observedAt)
{
    public DateTimeOffset ProbeTimestamp { get; set; } = observedAt;

    public DateTime? LeaseRenewTime { get; set; }

    public DateTime? ReadyHeartbeat { get; set; }

    public bool Seen { get; set; }

    /// <summary>Set when marking the node's pods not ready failed, so the next pass retries.</summary>
    public bool PodsNeedMarking { get; set; }
}
