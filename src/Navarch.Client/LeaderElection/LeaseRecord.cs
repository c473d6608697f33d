using k8s.Models;

namespace Navarch.Client.LeaderElection;

/// <summary>
/// The election fields of a lease, compared by value to tell whether the holder changed anything since we last looked
/// (client-go's <c>LeaderElectionRecord</c>).
/// </summary>
internal sealed record LeaseRecord(string HolderIdentity, int LeaseDurationSeconds, DateTime? AcquireTime, DateTime? RenewTime, int LeaseTransitions)
{
    public static LeaseRecord From(V1LeaseSpec? spec) =>
        new(
            spec?.HolderIdentity ?? string.Empty,
            spec?.LeaseDurationSeconds ?? 0,
            spec?.AcquireTime,
            spec?.RenewTime,
            spec?.LeaseTransitions ?? 0);

    public V1LeaseSpec ToSpec() => new()
    {
        HolderIdentity = HolderIdentity,
        LeaseDurationSeconds = LeaseDurationSeconds,
        AcquireTime = AcquireTime,
        RenewTime = RenewTime,
        LeaseTransitions = LeaseTransitions,
    };
}
