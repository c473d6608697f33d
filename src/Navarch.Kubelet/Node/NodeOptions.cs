namespace Navarch.Kubelet.Node;

/// <summary>How the kubelet registers its Node and keeps it fresh; defaults are the kubelet's.</summary>
public sealed record NodeOptions
{
    /// <summary>The Node object's name; the kubelet's identity is <c>system:node:&lt;name&gt;</c>.</summary>
    public required string NodeName { get; init; }

    /// <summary>As <c>--node-status-update-frequency</c>.</summary>
    public TimeSpan NodeStatusUpdateFrequency { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the node Lease is renewed; the kubelet renews every 10 s (a quarter of the lease duration).</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>As <c>--node-lease-duration-seconds</c>.</summary>
    public int LeaseDurationSeconds { get; init; } = 40;

    /// <summary>How long to wait before retrying a failed registration or a failed poll.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The kubelet's port, reported in <c>status.daemonEndpoints</c>.</summary>
    public int KubeletPort { get; init; } = 10250;

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(NodeName);
        if (NodeStatusUpdateFrequency <= TimeSpan.Zero || LeaseRenewInterval <= TimeSpan.Zero || RetryInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("Node status, lease and retry intervals must be positive.");
        }

        if (LeaseDurationSeconds <= 0)
        {
            throw new ArgumentException("The node lease duration must be positive.");
        }
    }
}
