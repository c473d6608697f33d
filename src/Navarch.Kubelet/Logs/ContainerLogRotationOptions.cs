namespace Navarch.Kubelet.Logs;

/// <summary>The kubelet's containerLogMaxSize and containerLogMaxFiles, and how often logs are looked at.</summary>
public sealed record ContainerLogRotationOptions
{
    /// <summary>A log at or over this size is rotated (the kubelet's default, 10Mi).</summary>
    public long MaxSize { get; init; } = 10 * 1024 * 1024;

    /// <summary>At most this many files per container, the live one included (the kubelet's default, 5).</summary>
    public int MaxFiles { get; init; } = 5;

    /// <summary>As the kubelet's containerLogMonitorInterval.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        if (MaxSize <= 0)
        {
            throw new ArgumentException("The container log max size must be positive.");
        }

        if (MaxFiles < 2)
        {
            throw new ArgumentException("The container log max files must be at least 2.");
        }

        if (Period <= TimeSpan.Zero)
        {
            throw new ArgumentException("The container log monitor period must be positive.");
        }
    }
}
