using Navarch.Kubelet.Containerd;

namespace Navarch.Kubelet.Tests;

/// <summary>Detaches whatever containerd left mounted under a directory (snapshots, shm), deepest first, so it can be deleted.</summary>
internal static class MountCleanup
{
    public static void UnmountUnder(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        var mountPoints = File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(point => point.StartsWith(prefix, StringComparison.Ordinal))
            .OrderByDescending(point => point.Length)
            .ToList();
        foreach (var point in mountPoints)
        {
            LinuxNative.Unmount(point, LinuxNative.MNT_DETACH);
        }
    }
}
