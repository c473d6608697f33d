// The kubelet runs on Linux only; file modes are Unix calls.
#pragma warning disable CA1416
using System.Globalization;

namespace Navarch.Kubelet.Volumes;

/// <summary>
/// Writes a volume's files so a reader never sees a half-updated set, as the kubelet's AtomicWriter does: the files go
/// into a fresh timestamped directory <c>..&lt;timestamp&gt;</c>, a <c>..data</c> symlink is swapped to it with one
/// rename, and every top-level name is a symlink through <c>..data</c>; the previous directory is then removed.
/// </summary>
internal sealed class AtomicWriter(TimeProvider time)
{
    public const string DataDirName = "..data";
    private const string NewDataDirName = "..data_tmp";
    private const UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>True when <paramref name="targetDirectory"/> already holds exactly <paramref name="payload"/> (content and modes).</summary>
    public static bool Matches(string targetDirectory, IReadOnlyCollection<PayloadFile> payload)
    {
        var dataDirectory = Path.Combine(targetDirectory, DataDirName);
        if (!Directory.Exists(dataDirectory))
        {
            return false;
        }

        var existing = Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories).Count();
        if (existing != payload.Count)
        {
            return false;
        }

        foreach (var file in payload)
        {
            var path = Path.Combine(dataDirectory, file.Path);
            if (!File.Exists(path) || File.GetUnixFileMode(path) != file.Mode || !File.ReadAllBytes(path).AsSpan().SequenceEqual(file.Content))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Replaces the volume's content with <paramref name="payload"/>; <paramref name="group"/> (fsGroup) owns the files when set.</summary>
    public void Write(string targetDirectory, IReadOnlyCollection<PayloadFile> payload, long? group)
    {
        Directory.CreateDirectory(targetDirectory);
        var dataLink = Path.Combine(targetDirectory, DataDirName);
        var oldTarget = File.Exists(dataLink) || Directory.Exists(dataLink) ? new FileInfo(dataLink).LinkTarget : null;

        var stamped = NewTimestampedDirectory(targetDirectory);
        foreach (var file in payload)
        {
            var path = Path.Combine(stamped, file.Path);
            var parent = Path.GetDirectoryName(path);
            if (parent is not null && parent != stamped)
            {
                Directory.CreateDirectory(parent, DirectoryMode);
                ChangeGroup(parent, group);
            }

            File.WriteAllBytes(path, file.Content);
            File.SetUnixFileMode(path, file.Mode);
            ChangeGroup(path, group);
        }

        ChangeGroup(stamped, group);
        var newLink = Path.Combine(targetDirectory, NewDataDirName);
        if (File.Exists(newLink) || Directory.Exists(newLink) || new FileInfo(newLink).LinkTarget is not null)
        {
            File.Delete(newLink);
        }

        File.CreateSymbolicLink(newLink, Path.GetFileName(stamped));
        VolumeNative.RenameOver(newLink, dataLink);

        // The user-visible names: one symlink per top-level entry, through ..data so they follow the swap.
        var visible = new HashSet<string>(payload.Select(file => file.Path.Split('/')[0]), StringComparer.Ordinal);
        foreach (var name in visible)
        {
            var link = Path.Combine(targetDirectory, name);
            if (new FileInfo(link).LinkTarget is null)
            {
                File.CreateSymbolicLink(link, Path.Combine(DataDirName, name));
            }
        }

        foreach (var entry in new DirectoryInfo(targetDirectory).EnumerateFileSystemInfos())
        {
            if (!entry.Name.StartsWith("..", StringComparison.Ordinal) && !visible.Contains(entry.Name) && entry.LinkTarget is not null)
            {
                entry.Delete();
            }
        }

        if (oldTarget is not null && oldTarget != Path.GetFileName(stamped))
        {
            var old = Path.Combine(targetDirectory, oldTarget);
            if (Directory.Exists(old))
            {
                Directory.Delete(old, recursive: true);
            }
        }
    }

    private string NewTimestampedDirectory(string targetDirectory)
    {
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyy_MM_dd_HH_mm_ss", CultureInfo.InvariantCulture);
        for (var suffix = 0; ; suffix++)
        {
            var path = Path.Combine(targetDirectory, $"..{stamp}.{suffix.ToString(CultureInfo.InvariantCulture)}");
            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path, DirectoryMode);
                return path;
            }
        }
    }

    private static void ChangeGroup(string path, long? group)
    {
        if (group is { } gid)
        {
            VolumeNative.ChangeGroup(path, gid);
        }
    }
}
