using System.Runtime.InteropServices;

namespace Navarch.Kubelet.Containerd;

/// <summary>The few libc calls .NET has no API for: sending a signal, and mount/unmount for the overlay probe.</summary>
internal static partial class LinuxNative
{
    public const int SIGTERM = 15;
    public const int MNT_DETACH = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fileSystemType, nuint flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unmount(string target, int flags);
}
