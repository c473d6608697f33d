namespace Navarch.Kubelet.Gc;

/// <summary>The kubelet's container GC policy, with its defaults (<c>--minimum-container-ttl-duration</c> 0, <c>--maximum-dead-containers-per-container</c> 1).</summary>
public sealed record ContainerGcOptions
{
    /// <summary>A dead container younger than this (by creation time) is kept.</summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.Zero;

    /// <summary>Dead containers kept per (pod, container name), newest first; they carry the last state and logs of a restarted container.</summary>
    public int MaxPerPodContainer { get; init; } = 1;

    /// <summary>
    /// The pod log root (<c>/var/log/pods</c> upstream, <c>&lt;agent&gt;/logs</c> here), whose <c>&lt;ns&gt;_&lt;name&gt;_&lt;uid&gt;</c>
    /// directories of pods no longer on the node are removed; null leaves log directories alone.
    /// </summary>
    public string? PodLogsDirectory { get; init; }

    public void Validate()
    {
        if (MinAge < TimeSpan.Zero)
        {
            throw new ArgumentException("The container GC minimum age must not be negative.", nameof(MinAge));
        }

        if (MaxPerPodContainer < 0)
        {
            throw new ArgumentException("The number of dead containers kept per container must not be negative.", nameof(MaxPerPodContainer));
        }
    }
}
