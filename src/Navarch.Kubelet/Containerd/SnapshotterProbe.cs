namespace Navarch.Kubelet.Containerd;

/// <summary>
/// Picks containerd's snapshotter: overlayfs when an overlay mount works on the filesystem that holds containerd's root
/// (it does not on top of another overlay, nor without the module or privilege), native (plain copies) otherwise.
/// </summary>
internal static class SnapshotterProbe
{
    public const string Overlay = "overlayfs";
    public const string Native = "native";

    public static string Detect(string directory)
    {
        var probe = Path.Combine(directory, ".overlay-probe");
        try
        {
            var lower = Directory.CreateDirectory(Path.Combine(probe, "lower")).FullName;
            var upper = Directory.CreateDirectory(Path.Combine(probe, "upper")).FullName;
            var work = Directory.CreateDirectory(Path.Combine(probe, "work")).FullName;
            var merged = Directory.CreateDirectory(Path.Combine(probe, "merged")).FullName;
            if (LinuxNative.Mount("overlay", merged, "overlay", 0, $"lowerdir={lower},upperdir={upper},workdir={work}") != 0)
            {
                return Native;
            }

            LinuxNative.Unmount(merged, LinuxNative.MNT_DETACH);
            return Overlay;
        }
        finally
        {
            try
            {
                Directory.Delete(probe, recursive: true);
            }
            catch (IOException)
            {
                // A leftover probe directory is harmless; the next start recreates it.
            }
        }
    }
}
