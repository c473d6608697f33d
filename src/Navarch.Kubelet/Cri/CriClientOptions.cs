namespace Navarch.Kubelet.Cri;

/// <summary>Deadlines for CRI calls. The defaults follow the kubelet's: 2 minutes per call (its --runtime-request-timeout), longer for pulls.</summary>
public sealed record CriClientOptions
{
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan PullTimeout { get; init; } = TimeSpan.FromMinutes(10);
}
