namespace Navarch.Kubelet.Gc;

/// <summary>The kubelet's image GC policy, with its defaults (<c>--image-gc-high-threshold</c> 85, <c>--image-gc-low-threshold</c> 80, <c>--minimum-image-ttl-duration</c> 2m).</summary>
public sealed record ImageGcOptions
{
    /// <summary>The image filesystem usage (percent) at or above which images are removed.</summary>
    public int HighThresholdPercent { get; init; } = 85;

    /// <summary>The usage (percent) GC removes images down to.</summary>
    public int LowThresholdPercent { get; init; } = 80;

    /// <summary>An image first seen less than this long ago is kept, so a just-pulled image survives until its container starts.</summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The sandbox ("pause") image, never removed.</summary>
    public required string SandboxImage { get; init; }

    /// <summary>A directory on the image filesystem (containerd's root); its filesystem's usage drives GC.</summary>
    public required string ImageFilesystemPath { get; init; }

    /// <summary>Reads the image filesystem's usage; null uses the filesystem of <see cref="ImageFilesystemPath"/>. Tests supply their own.</summary>
    public Func<CancellationToken, Task<ImageFilesystemUsage>>? UsageProbe { get; init; }

    public void Validate()
    {
        if (HighThresholdPercent is < 0 or > 100 || LowThresholdPercent is < 0 or > 100)
        {
            throw new ArgumentException("Image GC thresholds must be between 0 and 100 percent.");
        }

        if (LowThresholdPercent > HighThresholdPercent)
        {
            throw new ArgumentException(
                $"Image GC low threshold {LowThresholdPercent} must not be above the high threshold {HighThresholdPercent}.");
        }

        if (MinAge < TimeSpan.Zero)
        {
            throw new ArgumentException("The image GC minimum age must not be negative.", nameof(MinAge));
        }

        ArgumentException.ThrowIfNullOrEmpty(SandboxImage);
        ArgumentException.ThrowIfNullOrEmpty(ImageFilesystemPath);
    }
}
