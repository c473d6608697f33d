namespace Navarch.Client.LeaderElection;

/// <summary>
/// Settings of a <see cref="LeaderElector"/>, with client-go's defaults (15 s lease, 10 s renew deadline, 2 s retry),
/// the ones kube-scheduler and kube-controller-manager use.
/// </summary>
public sealed record LeaderElectionConfig
{
    /// <summary>client-go's <c>JitterFactor</c>: retries wait between RetryPeriod and RetryPeriod * (1 + 1.2).</summary>
    public const double JitterFactor = 1.2;

    public required string LeaseNamespace { get; init; }

    public required string LeaseName { get; init; }

    /// <summary>This candidate's identity, written to <c>spec.holderIdentity</c>; unique per process.</summary>
    public required string Identity { get; init; }

    /// <summary>How long non-leaders wait, after they last saw the lease change, before taking it over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps retrying a failed renewal before it gives up leadership.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often candidates try to acquire and the leader renews.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether the leader clears the lease when its run is cancelled, so a peer takes over at once.</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> with client-go's messages when the settings cannot work.</summary>
    public void Validate()
    {
        if (LeaseDuration <= RenewDeadline)
        {
            throw new ArgumentException("leaseDuration must be greater than renewDeadline");
        }

        if (RenewDeadline <= RetryPeriod * JitterFactor)
        {
            throw new ArgumentException("renewDeadline must be greater than retryPeriod*JitterFactor");
        }

        if (LeaseDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException("leaseDuration must be greater than zero");
        }

        if (RenewDeadline <= TimeSpan.Zero)
        {
            throw new ArgumentException("renewDeadline must be greater than zero");
        }

        if (RetryPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException("retryPeriod must be greater than zero");
        }

        if (string.IsNullOrEmpty(LeaseName))
        {
            throw new ArgumentException("lock name is empty");
        }

        if (string.IsNullOrEmpty(LeaseNamespace))
        {
            throw new ArgumentException("lock namespace is empty");
        }

        if (string.IsNullOrEmpty(Identity))
        {
            throw new ArgumentException("Lock identity is empty");
        }
    }
}
