using System.Runtime.InteropServices;

namespace Navarch.Kubelet.Volumes;

/// <summary>The libc calls volumes need and .NET lacks: mount/unmount for tmpfs, chown for fsGroup, stat for hostPath types.</summary>
internal static partial class VolumeNative
{
    public const int MNT_DETACH = 2;

    // st_mode's file type bits (S_IFMT) and the types hostPath checks.
    public const uint S_IFMT = 0xF000;
    public const uint S_IFSOCK = 0xC000;
    public const uint S_IFBLK = 0x6000;
    public const uint S_IFCHR = 0x2000;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fileSystemType, nuint flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unmount(string target, int flags);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LChown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Stat(string path, byte* buffer);

    /// <summary>The file type bits of <paramref name="path"/> (following symlinks), or null when it does not exist.</summary>
    public static unsafe uint? FileType(string path)
    {
        // struct stat is 144 bytes on x86-64 and 128 on arm64; st_mode sits at offset 24 and 16 respectively.
        var offset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            var other => throw new PlatformNotSupportedException($"hostPath type checks are not supported on {other}"),
        };
        var buffer = stackalloc byte[256];
        if (Stat(path, buffer) != 0)
        {
            return null;
        }

        return *(uint*)(buffer + offset) & S_IFMT;
    }

    /// <summary>Sets the group of a file or link (not following it), leaving the owner.</summary>
    public static void ChangeGroup(string path, long group)
    {
        if (LChown(path, -1, checked((int)group)) != 0)
        {
            throw new IOException($"chown {path}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Replaces <paramref name="newPath"/> with <paramref name="oldPath"/> in one step (rename(2) is atomic).</summary>
    public static void RenameOver(string oldPath, string newPath)
    {
        if (Rename(oldPath, newPath) != 0)
        {
            throw new IOException($"rename {oldPath} {newPath}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The mount points at or below <paramref name="directory"/>, deepest first.</summary>
    public static IReadOnlyList<string> MountPointsUnder(string directory)
    {
        var root = directory.TrimEnd('/');
        var prefix = root + "/";
        var points = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length < 5)
            {
                continue;
            }

            // mountinfo escapes space, tab, newline and backslash as octal.
            var point = fields[4].Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
                .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
            if (point == root || point.StartsWith(prefix, StringComparison.Ordinal))
            {
                points.Add(point);
            }
        }

        return [.. points.OrderByDescending(point => point.Length)];
    }
}
