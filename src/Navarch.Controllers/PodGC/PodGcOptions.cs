namespace Navarch.Controllers.PodGC;

/// <summary>Internal timings of PodGC, Kubernetes' constants (tests shorten them).</summary>
internal sealed record PodGcOptions
{
    /// <summary>How often the collector runs (gcCheckPeriod).</summary>
    public TimeSpan CheckPeriod { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a node must stay absent before its pods are deleted (quarantineTime): a node deleted and added
    /// again at once, or a cache that has not seen a new node yet, must not cost its pods.
    /// </summary>
    public TimeSpan Quarantine { get; init; } = TimeSpan.FromSeconds(40);
}
