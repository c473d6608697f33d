namespace Navarch.Kubelet.Gc;

/// <summary>A filesystem's size and the space left to unprivileged writers, as statvfs reports them.</summary>
public sealed record ImageFilesystemUsage(long CapacityBytes, long AvailableBytes)
{
    /// <summary>As the kubelet computes it: <c>100 - available * 100 / capacity</c>, in whole percent.</summary>
    public int UsedPercent => CapacityBytes <= 0 ? 0 : (int)(100 - AvailableBytes * 100 / CapacityBytes);

    /// <summary>The usage of the filesystem that holds <paramref name="path"/>.</summary>
    public static ImageFilesystemUsage Of(string path)
    {
        // On Linux DriveInfo takes any path and answers with statvfs of its filesystem.
        var drive = new DriveInfo(path);
        return new ImageFilesystemUsage(drive.TotalSize, drive.AvailableFreeSpace);
    }
}
